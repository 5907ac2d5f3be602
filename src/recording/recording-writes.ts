// The recorder's writes: which exchanges are still open or being written (so that shutdown can wait
// for them), and what a failing disk says in the log.
import type { Logger } from '../logger.ts';
import type { Recording } from './format.ts';
import { writeRecording } from './recording-set.ts';

export interface RecordingWrites {
  /** Marks an exchange as open until the returned function is called (after its save, if any). */
  begin(): () => void;
  /** Writes one recording; resolves true once it is on disk, false if it could not be written. */
  save(file: string, recording: Recording): Promise<boolean>;
  /** Resolves once nothing is open or being written (at once if nothing is). */
  settled(): Promise<void>;
  /** How many exchanges are open or being written. */
  pending(): number;
}

export interface RecordingWritesOptions {
  dir: string;
  logger: Logger;
  /** Stands in for writeRecording (tests: a full disk). */
  write?: typeof writeRecording;
}

/**
 * Tracks the recorder's open work and writes files. A failing disk is logged once per run of
 * failures, not once per exchange; the first write that works again says how many were lost, and a
 * later failure is logged again.
 */
export function createRecordingWrites(options: RecordingWritesOptions): RecordingWrites {
  const write = options.write ?? writeRecording;
  let open = 0;
  let waiters: Array<() => void> = [];
  let lost = 0;

  const end = () => {
    open--;
    if (open > 0) return;
    const waiting = waiters;
    waiters = [];
    for (const resolve of waiting) resolve();
  };

  const begin = () => {
    open++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      end();
    };
  };

  return {
    begin,
    async save(file, recording) {
      const done = begin();
      try {
        await write(options.dir, file, recording);
        if (lost > 0) options.logger.warn('recordings are written again', { dir: options.dir, notRecorded: lost });
        lost = 0;
        return true;
      } catch (error) {
        if (lost === 0) options.logger.error('cannot write a recording; answers are unaffected, and further write errors are not logged until a write works again', { dir: options.dir, file, error });
        lost++;
        return false;
      } finally {
        done();
      }
    },
    settled: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    pending: () => open,
  };
}
