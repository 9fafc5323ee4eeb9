import { loggableUrl } from './loggable-url';

describe(loggableUrl.name, () => {
  it('hides the value of a ticket however its name is written, and nothing else', () => {
    expect(loggableUrl('/api/whatsapp/numbers/6/events/?ticket=abc_DEF-123')).toBe(
      '/api/whatsapp/numbers/6/events/?ticket=[redacted]',
    );
    expect(loggableUrl('/x?limit=5&%74icket=secret&cursor=c')).toBe('/x?limit=5&%74icket=[redacted]&cursor=c');
    expect(loggableUrl('/x?ticket[]=a&ticket=b&Ticket=c')).toBe(
      '/x?ticket[]=[redacted]&ticket=[redacted]&Ticket=[redacted]',
    );
    expect(loggableUrl('/x?%E0%A4%A=1&ticketless')).toBe('/x?%E0%A4%A=1&ticketless=[redacted]');
    expect(loggableUrl('/api/points/ledger/?limit=5')).toBe('/api/points/ledger/?limit=5');
    expect(loggableUrl('/api/health')).toBe('/api/health');
  });
});
