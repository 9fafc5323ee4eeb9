import { useState, type FormEvent } from 'react';
import { ErrorText, Section } from './common';
import { WhatsAppNumberCard } from './whatsapp-number';
import { useLoad } from '../hooks';
import { describeError, useClient } from '../session';

/** The caller's WhatsApp numbers (every number for an admin), each live; registering a new one. */
export function WhatsAppNumbers({ admin }: { admin: boolean }) {
  const client = useClient();
  const numbers = useLoad((c) => c.listNumbers({ limit: 20 }));
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string>();

  const register = async (submitted: FormEvent) => {
    submitted.preventDefault();
    setError(undefined);
    try {
      await client.registerNumber(phone.trim());
      setPhone('');
      numbers.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <Section title="WhatsApp numbers">
      <form className="row" onSubmit={(e) => void register(e)}>
        <label>
          Phone number
          <input
            type="tel"
            placeholder="+221771234567"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
            required
          />
        </label>
        <button type="submit">Register number</button>
      </form>
      <ErrorText error={error ?? numbers.error} />
      <ul className="numbers">
        {numbers.value?.numbers.map((number) => (
          <WhatsAppNumberCard key={number.id} initial={number} admin={admin} />
        ))}
      </ul>
    </Section>
  );
}
