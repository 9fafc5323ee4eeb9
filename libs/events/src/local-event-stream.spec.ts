import { CloudEvent } from './cloud-event';
import { LocalEventStream } from './local-event-stream';

const event = { id: 'e1', type: 'ledger.token.created', data: { userId: 1 } } as unknown as CloudEvent;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('LocalEventStream', () => {
  it('hands events to listeners, and tells the ones that asked when events may be missed', async () => {
    const stream = new LocalEventStream();
    const heard: string[] = [];
    const gaps: string[] = [];
    stream.subscribe(
      (e) => heard.push(`complete:${e.id}`),
      () => gaps.push('complete'),
    );
    stream.subscribe((e) => heard.push(`live-only:${e.id}`));
    stream.publish(event);
    await tick();
    expect(heard).toEqual(['complete:e1', 'live-only:e1']);
    expect(gaps).toEqual([]);
    stream.unfollowed(); // the follower lost its queue
    expect(gaps).toEqual(['complete']);
  });

  it('ends at once a stream that subscribes while nothing is followed, and not once following again', async () => {
    const stream = new LocalEventStream();
    stream.unfollowed(); // the follower is still connecting (or RabbitMQ is down)
    const gaps: string[] = [];
    stream.subscribe(
      () => undefined,
      () => gaps.push('during'),
    );
    stream.subscribe(() => undefined); // a live-only stream is not told
    await tick();
    expect(gaps).toEqual(['during']);
    stream.followed();
    stream.subscribe(
      () => undefined,
      () => gaps.push('after'),
    );
    await tick();
    expect(gaps).toEqual(['during']);
  });
});
