import { useMemo, useState } from 'react';
import { AdminPage } from './pages/admin';
import { CustomerPage } from './pages/customer';
import { SignIn } from './pages/sign-in';
import { VendorPage } from './pages/vendor';
import { ClientContext, createConsoleClient, type Session } from './session';

const TITLES = { customer: 'My points', vendor: 'Scan', admin: 'Administration' } as const;

export function App() {
  const [session, setSession] = useState<Session>();
  const [notice, setNotice] = useState<string>();
  // A refused refresh (the session is over) clears the tokens and comes back to sign-in.
  const client = useMemo(
    () =>
      createConsoleClient((error) => {
        setSession(undefined);
        setNotice(`Signed out: ${error.detail}`);
      }),
    [],
  );

  const signOut = async () => {
    await client.logout().catch(() => undefined);
    setNotice(undefined);
    setSession(undefined);
  };

  return (
    <ClientContext.Provider value={client}>
      {session ? (
        <>
          <header className="top">
            <h1>
              Hourglass <span className="muted">· {TITLES[session.role]}</span>
            </h1>
            <span className="who">
              {session.username} ({session.role})
            </span>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </header>
          <main key={session.userId}>
            {session.role === 'admin' ? <AdminPage /> : session.role === 'vendor' ? <VendorPage /> : <CustomerPage />}
          </main>
        </>
      ) : (
        <SignIn
          notice={notice}
          onSignedIn={(signedIn) => {
            setNotice(undefined);
            setSession(signedIn);
          }}
        />
      )}
    </ClientContext.Provider>
  );
}
