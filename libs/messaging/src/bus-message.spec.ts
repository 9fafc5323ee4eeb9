import { encodeBusBody, parseBusMessage } from './bus-message';

describe('parseBusMessage', () => {
  it('returns the whole body of a JSON object with a string action', () => {
    const content =
      '{"action":"validate_number","data":{"numberId":6,"phoneNumber":"+221771234567"},"timestamp":1765029000000}';
    expect(parseBusMessage(content)).toEqual({ ok: true, message: JSON.parse(content) });
  });

  it.each([
    ['not JSON', '{"action":', 'body is not JSON'],
    ['an array', '[{"action":"x"}]', 'body is not a JSON object'],
    ['null', 'null', 'body is not a JSON object'],
    ['a string', '"validate_number"', 'body is not a JSON object'],
    ['missing the action', '{"data":{}}', 'body has no string "action"'],
    ['a numeric action', '{"action":42}', 'body has no string "action"'],
    ['an empty action', '{"action":""}', 'body has no string "action"'],
  ])('rejects a body that is %s, with a reason that does not echo it', (_case, content, reason) => {
    expect(parseBusMessage(content)).toEqual({ ok: false, reason });
  });
});

describe('encodeBusBody', () => {
  it('produces the plain JSON text of the body, without any envelope', () => {
    expect(encodeBusBody({ action: 'connected', numberId: 6 })).toBe('{"action":"connected","numberId":6}');
  });

  it('refuses anything that is not a JSON object', () => {
    expect(() => encodeBusBody([1])).toThrow(TypeError);
    expect(() => encodeBusBody(null)).toThrow(TypeError);
  });

  it('refuses a body JSON cannot encode', () => {
    expect(() => encodeBusBody({ action: 'x', big: 1n })).toThrow(TypeError);
  });
});
