/**
 * A run-wide watchdog: every second a `select 1` on a connection of its own to each database. A server that
 * stops answering (paused, swapped out, a network that drops packets) would otherwise make every step wait
 * out its own timeout, and cleanup after it; when a ping (or the connection it needs) has gone unanswered
 * for `stallMs`, the watchdog calls onStall once, and the run stops.
 */
import pg from 'pg';
import { redactUrl } from '../redact.ts';
import { APPLICATION_NAME } from './text-driver.ts';

/** The abort reason when the watchdog stops a run. */
export class ServerUnresponsive extends Error {
  readonly database: string;
  constructor(database: string, url: string, silentMs: number) {
    super(`database \`${database}\` at ${redactUrl(url)} stopped answering (no reply to a ping for ${Math.round(silentMs / 1000)} s)`);
    this.database = database;
  }
}

export const isServerUnresponsive = (reason: unknown): reason is ServerUnresponsive => reason instanceof ServerUnresponsive;

export type WatchdogOptions = {
  /** Silence longer than this is a stall. */
  readonly stallMs: number;
  readonly intervalMs?: number;
  readonly onStall: (reason: ServerUnresponsive) => void;
};

export type Watchdog = { stop(): void };

type Target = { readonly name: string; readonly url: string };

/** One database's pinger: connects lazily, reconnects after an error, and reports how long it has waited. */
const pinger = (target: Target) => {
  let client: pg.Client | undefined;
  let waitingSince: number | undefined;
  const drop = (): void => {
    const old = client;
    client = undefined;
    old?.end().catch(() => undefined);
  };
  return {
    waitedMs: (now: number): number => (waitingSince === undefined ? 0 : now - waitingSince),
    ping: (): void => {
      if (waitingSince !== undefined) return;
      waitingSince = Date.now();
      void (async () => {
        try {
          if (!client) {
            // Its own application name, so that cancelling the run's statements never cancels a ping.
            client = new pg.Client({ connectionString: target.url, application_name: `${APPLICATION_NAME}/watchdog` });
            client.on('error', drop);
            await client.connect();
          }
          await client.query('select 1');
          waitingSince = undefined;
        } catch {
          // A refused or lost connection is not silence: the run's own statements report it. Try afresh.
          drop();
          waitingSince = undefined;
        }
      })();
    },
    stop: drop,
  };
};

export const startWatchdog = (targets: readonly Target[], options: WatchdogOptions): Watchdog => {
  const pingers = targets.map((target) => ({ target, pinger: pinger(target) }));
  let fired = false;
  const tick = (): void => {
    const now = Date.now();
    for (const { target, pinger: p } of pingers) {
      const waited = p.waitedMs(now);
      if (!fired && waited > options.stallMs) {
        fired = true;
        options.onStall(new ServerUnresponsive(target.name, target.url, waited));
      }
      p.ping();
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? 1000);
  timer.unref();
  tick();
  return {
    stop: () => {
      clearInterval(timer);
      for (const { pinger: p } of pingers) p.stop();
    },
  };
};
