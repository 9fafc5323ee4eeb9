import { SystemHealth } from '../admin/system-panel';
import { LedgerCheck, TokensOverview } from '../admin/tokens-panels';
import { Users } from '../admin/users-panel';
import { Scheduler, VintedSessions } from '../admin/vinted-panels';
import { MetricsCharts } from '../parts/metrics-charts';
import { WhatsAppNumbers } from '../parts/whatsapp-numbers';

/** The admin's page: numbers, accounts and points, the books, Vinted, the system. */
export function AdminPage() {
  return (
    <div className="grid">
      <WhatsAppNumbers admin />
      <TokensOverview />
      <LedgerCheck />
      <Users />
      <Scheduler />
      <VintedSessions />
      <SystemHealth />
      <MetricsCharts />
    </div>
  );
}
