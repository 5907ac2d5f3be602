import type { CatalogModel } from '../catalog/model-info.ts';
import type { HandlerContext } from './context.ts';

/** Alias names written without a glob whose target a client can use now, with that target (every API's model list shows them first). */
export function listedAliases(context: HandlerContext): { alias: string; model: CatalogModel }[] {
  return context.router.aliasNames().flatMap((alias) => {
    const model = context.router.findVisible(alias);
    return model === undefined ? [] : [{ alias, model }];
  });
}
