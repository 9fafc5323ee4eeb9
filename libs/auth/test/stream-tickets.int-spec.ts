import {
  AuthModule,
  AuthenticatedUser,
  StreamTicketRejectedError,
  StreamTicketsService,
  TokensService,
  UsersService,
} from '@app/auth';
import { DatabaseTarget, TestDatabase, createDatabaseTestApp, createTestDatabase, databaseTargets } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';

const STREAM = 'whatsapp.numbers.6.events';

describe.each(databaseTargets())('on the %s database', (target: DatabaseTarget) => {
  let testDatabase: TestDatabase;
  let apps: INestApplicationContext[] = [];
  /** On a server: one service per app, i.e. separate connection pools, as API processes have. */
  let services: StreamTicketsService[];
  let dataSource: DataSource;
  let users = 0;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(target);
    const processes = target === 'postgres' ? 3 : 1;
    apps = [await createDatabaseTestApp({ env: testDatabase.env, imports: [AuthModule], logger: ['error'] })];
    for (let i = 1; i < processes; i++) {
      apps.push(
        await createDatabaseTestApp({
          env: testDatabase.env,
          imports: [AuthModule],
          migrate: false,
          logger: ['error'],
        }),
      );
    }
    services = apps.map((app) => app.get(StreamTicketsService));
    dataSource = apps[0].get(DataSource);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await testDatabase?.cleanup();
  });

  async function newUser(): Promise<AuthenticatedUser> {
    const { id, username, role } = await apps[0]
      .get(UsersService)
      .create({ username: `viewer-${++users}`, password: 'correct-horse', email: '', role: 'customer' });
    return { id, username, role };
  }

  const redeem = (ticket: string, stream = STREAM, i = 0) => services[i % services.length].redeem(ticket, stream);

  describe(StreamTicketsService.name, () => {
    it('opens its stream once, whichever process presents it, even 20 at a time', async () => {
      const user = await newUser();
      const { ticket, expiresInSeconds } = await services[0].issue(user, STREAM);
      expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(expiresInSeconds).toBe(60);

      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => redeem(ticket, STREAM, i)));

      const opened = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(opened).toEqual([{ status: 'fulfilled', value: user }]);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(StreamTicketRejectedError);
        }
      }
      await expect(redeem(ticket)).rejects.toMatchObject({ code: 'ticket_not_valid', status: 401 });
    });

    it('refuses a ticket presented for another stream, and spends it all the same', async () => {
      const { ticket } = await services[0].issue(await newUser(), STREAM);
      await expect(redeem(ticket, 'whatsapp.numbers.7.events')).rejects.toBeInstanceOf(StreamTicketRejectedError);
      await expect(redeem(ticket)).rejects.toBeInstanceOf(StreamTicketRejectedError);
    });

    it('expires 60 s after its issue on the database clock', async () => {
      const { ticket } = await services[0].issue(await newUser(), STREAM);
      const [row] = await dataSource.query<{ seconds: number }[]>(
        'SELECT extract(epoch FROM expires_at - now())::float AS seconds FROM stream_tickets',
      );
      expect(row.seconds).toBeGreaterThan(55);
      expect(row.seconds).toBeLessThanOrEqual(60);

      await dataSource.query(`UPDATE stream_tickets SET expires_at = now() - interval '1 millisecond'`);
      await expect(redeem(ticket)).rejects.toBeInstanceOf(StreamTicketRejectedError);
    });

    it('dies with a revoke-all and with a deactivation; one issued right after a revoke-all works', async () => {
      const user = await newUser();
      const before = await services[0].issue(user, STREAM);
      await apps[0].get(TokensService).revokeAll(user.id);
      await expect(redeem(before.ticket, STREAM, 1)).rejects.toBeInstanceOf(StreamTicketRejectedError);

      // Within the same second as the revoke-all, as a token issued then is accepted.
      const after = await services[0].issue(user, STREAM);
      await expect(redeem(after.ticket, STREAM, 1)).resolves.toEqual(user);

      const deactivated = await services[0].issue(user, STREAM);
      await apps[0].get(UsersService).setActive(user.id, false);
      await expect(redeem(deactivated.ticket, STREAM, 2)).rejects.toBeInstanceOf(StreamTicketRejectedError);
    });

    it('stores only a hash of the ticket', async () => {
      await dataSource.query('DELETE FROM stream_tickets');
      const { ticket } = await services[0].issue(await newUser(), STREAM);
      const rows = await dataSource.query<{ row: string; hash: string }[]>(
        `SELECT t::text AS row, encode(ticket_hash, 'hex') AS hash FROM stream_tickets t`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].row).not.toContain(ticket);
      expect(rows[0].row).not.toContain(Buffer.from(ticket, 'base64url').toString('hex'));
      expect(rows[0].hash).toHaveLength(64);
    });

    it('refuses malformed tickets without a trace', async () => {
      for (const ticket of ['', 'abc', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}=`, `${'A'.repeat(42)}\n`]) {
        await expect(redeem(ticket)).rejects.toBeInstanceOf(StreamTicketRejectedError);
      }
    });

    it('purges the expired tickets nobody presented, and only those', async () => {
      await dataSource.query('DELETE FROM stream_tickets');
      const user = await newUser();
      await services[0].issue(user, STREAM);
      await dataSource.query(`UPDATE stream_tickets SET expires_at = now() - interval '1 second'`);
      const live = await services[0].issue(user, STREAM);

      expect(await services[1 % services.length].purgeExpired()).toBe(1);
      expect(await services[0].purgeExpired()).toBe(0);
      await expect(redeem(live.ticket)).resolves.toEqual(user);
    });
  });
});
