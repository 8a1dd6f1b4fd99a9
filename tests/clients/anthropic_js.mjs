// Drives the Anthropic-compatible POST /v1/messages of `olla serve` with the official Anthropic
// JavaScript library (npm `@anthropic-ai/sdk`). Run by tests/integration/clients_test.cc with the
// models listed in ollama_js.mjs installed. OLLA_HOST is the server's base URL. Exits non-zero
// when a check fails.

import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const host = process.env.OLLA_HOST;
assert.ok(host, 'OLLA_HOST is not set');
const client = new Anthropic({ baseURL: host, apiKey: 'ollama', maxRetries: 0, timeout: 60_000 });

const base = { model: 'storychat', max_tokens: 8, temperature: 0, messages: [{ role: 'user', content: 'Once upon a time' }] };
const checks = [];
const check = (name, fn) => checks.push({ name, fn });

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

let whole;
check('messages.create', async () => {
  whole = await client.messages.create(base);
  assert.equal(whole.type, 'message');
  assert.match(whole.id, /^msg_/);
  assert.equal(whole.role, 'assistant');
  assert.equal(whole.model, 'storychat');
  assert.equal(whole.content.length, 1);
  assert.equal(whole.content[0].type, 'text');
  assert.ok(whole.content[0].text.startsWith(', there was a'), whole.content[0].text);
  assert.equal(whole.stop_reason, 'max_tokens');
  assert.deepEqual(whole.usage, { input_tokens: 5, output_tokens: 8 });

  const withSystem = await client.messages.create({
    ...base, system: [{ type: 'text', text: 'Once upon' }], messages: [{ role: 'user', content: [{ type: 'text', text: ' a time' }] }],
  });
  assert.equal(withSystem.content[0].text, whole.content[0].text);
  const stopped = await client.messages.create({ ...base, max_tokens: 20, stop_sequences: [' little'] });
  assert.equal(stopped.content[0].text, ', there was a');
  assert.equal(stopped.stop_reason, 'end_turn');
});

check('messages.create stream', async () => {
  const stream = await client.messages.create({ ...base, stream: true });
  const types = [];
  let text = '';
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'content_block_delta') text += event.delta.text;
  }
  assert.equal(types[0], 'message_start');
  assert.equal(types[types.length - 1], 'message_stop');
  assert.equal(text, whole.content[0].text);

  // The library's stream helper assembles the same message.
  const final = await client.messages.stream(base).finalMessage();
  assert.equal(final.content[0].text, whole.content[0].text);
  assert.equal(final.stop_reason, 'max_tokens');
  assert.equal(final.usage.output_tokens, 8);
});

check('errors', async () => {
  let err = await rejection(client.messages.create({ ...base, model: 'no-such-model' }));
  assert.ok(err instanceof Anthropic.NotFoundError, String(err));
  assert.equal(err.status, 404);
  assert.equal(err.error.type, 'error');
  assert.equal(err.error.error.type, 'not_found_error');

  err = await rejection(client.messages.create({ ...base, messages: [] }));
  assert.ok(err instanceof Anthropic.BadRequestError, String(err));
  assert.equal(err.error.error.message, 'messages is required');
});

let failed = 0;
for (const { name, fn } of checks) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err && err.stack ? err.stack : err}`);
  }
}
console.log(failed ? `${failed} of ${checks.length} checks failed` : `all ${checks.length} checks passed`);
process.exit(failed ? 1 : 0);
