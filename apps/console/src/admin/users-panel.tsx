import type { Role } from '@app/client';
import { useState, type FormEvent } from 'react';
import { ErrorText, Section } from '../parts/common';
import { describeError, useClient } from '../session';

export function Users() {
  const client = useClient();
  const [account, setAccount] = useState({ username: '', password: '', role: 'customer' as Role });
  const [grant, setGrant] = useState({ username: '', points: '100', reason: '' });
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const run = (action: () => Promise<string>) => async (submitted: FormEvent) => {
    submitted.preventDefault();
    setError(undefined);
    setMessage(undefined);
    try {
      setMessage(await action());
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const create = run(async () => {
    const { data } = await client.axios.post<{ id: number; username: string; role: Role }>(
      '/api/admin/users/',
      account,
    );
    setAccount({ username: '', password: '', role: account.role });
    return `Created ${data.role} "${data.username}" (id ${data.id}).`;
  });
  const give = run(async () => {
    const { balance } = await client.grantPoints({
      username: grant.username,
      points: Number(grant.points),
      reason: grant.reason || undefined,
    });
    return `Granted ${grant.points} points to ${grant.username}: balance ${balance}.`;
  });

  return (
    <Section title="Users and points">
      <form className="column" onSubmit={(e) => void create(e)} aria-label="Create a user">
        <label>
          New user's name
          <input
            value={account.username}
            onChange={(e) => setAccount({ ...account, username: e.target.value })}
            required
          />
        </label>
        <label>
          New user's password
          <input
            type="password"
            autoComplete="new-password"
            value={account.password}
            onChange={(e) => setAccount({ ...account, password: e.target.value })}
            required
          />
        </label>
        <label>
          Role
          <select value={account.role} onChange={(e) => setAccount({ ...account, role: e.target.value as Role })}>
            <option value="customer">customer</option>
            <option value="vendor">vendor</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit">Create user</button>
      </form>
      <form className="column" onSubmit={(e) => void give(e)} aria-label="Grant points">
        <label>
          Grant to
          <input value={grant.username} onChange={(e) => setGrant({ ...grant, username: e.target.value })} required />
        </label>
        <label>
          Points to grant
          <input
            type="number"
            min={1}
            value={grant.points}
            onChange={(e) => setGrant({ ...grant, points: e.target.value })}
            required
          />
        </label>
        <label>
          Reason
          <input value={grant.reason} onChange={(e) => setGrant({ ...grant, reason: e.target.value })} />
        </label>
        <button type="submit">Grant points</button>
      </form>
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
      <ErrorText error={error} />
    </Section>
  );
}
