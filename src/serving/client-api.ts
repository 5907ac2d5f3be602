// A client API is one record: its name and label, its error shape, its chat endpoints (each a
// dialect: parse, encode, collect) and its other routes. The app's route table, the error table,
// the request log's names and the dashboard's labels are all derived from the list of records
// (dialects/client-apis.ts), so a new API is one folder and one line there.
import type { ErrorReply, HttpError } from '../errors.ts';
import type { Route } from '../http/url-router.ts';
import type { HandlerContext } from './context.ts';
import type { ChatDialect, ChatIntent } from './dialect.ts';
import { serveChat } from './serve-chat.ts';

export interface ClientApi {
  /** Its name in the request log and on the outcome bus. */
  name: string;
  /** What the dashboard calls it. */
  label: string;
  /** Its error reply: status, headers and body as the API spells them. */
  errorReply(error: HttpError): ErrorReply;
  /** True for requests that speak this API (for their error shape); the first API in the list that claims a request wins. */
  claims(path: string, headers: Record<string, unknown>): boolean;
  /** Its chat endpoints: `POST` path → dialect. */
  chats: Readonly<Record<string, ChatDialect<ChatIntent>>>;
  /** Its other routes (model lists, embeddings, management). */
  routes?(context: HandlerContext): Route[];
}

/** Every API's routes: its chat endpoints, then the rest, in the list's order (earlier APIs win shared paths). */
export function apiRoutes(apis: readonly ClientApi[], context: HandlerContext): Route[] {
  return apis.flatMap((api) => [
    ...Object.entries(api.chats).map(([path, dialect]): Route => ({ methods: ['POST'], path, handler: (request) => serveChat(context, request, api.name, dialect) })),
    ...(api.routes?.(context) ?? []),
  ]);
}

/** The error table: a request's error in the shape of the first API that claims it (the last API's when none does). */
export function errorReplier(apis: readonly ClientApi[]): (path: string, error: HttpError, headers?: Record<string, unknown>) => ErrorReply {
  const fallback = apis.at(-1);
  if (fallback === undefined) throw new Error('no client APIs');
  return (path, error, headers = {}) => (apis.find((api) => api.claims(path, headers)) ?? fallback).errorReply(error);
}

/** The APIs as the dashboard labels them. */
export function apiLabels(apis: readonly ClientApi[]): Record<string, string> {
  return Object.fromEntries(apis.map((api) => [api.name, api.label]));
}
