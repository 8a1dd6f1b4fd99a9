// Drives the OpenAI-compatible API of `olla serve` (/v1) with the official OpenAI JavaScript
// library (npm `openai`). Run by tests/integration/clients_test.cc with the models listed in
// ollama_js.mjs installed. OLLA_HOST is the server's base URL. Exits non-zero on the first failed
// check.

import assert from 'node:assert/strict';
import OpenAI from 'openai';

const host = process.env.OLLA_HOST;
assert.ok(host, 'OLLA_HOST is not set');
const client = new OpenAI({ baseURL: `${host}/v1`, apiKey: 'ollama', maxRetries: 0, timeout: 60_000 });

const messages = [{ role: 'user', content: 'Once upon a time' }];
const checks = [];
const check = (name, fn) => checks.push({ name, fn });

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

check('models', async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    assert.equal(model.object, 'model');
    assert.equal(model.owned_by, 'library');
    assert.ok(model.created > 1_600_000_000);
    ids.push(model.id);
  }
  assert.deepEqual(ids.sort(), ['bert:latest', 'stories:latest', 'storychat:latest']);
  const one = await client.models.retrieve('stories');
  assert.equal(one.id, 'stories');
  assert.equal(one.owned_by, 'library');
});

check('chat.completions', async () => {
  const r = await client.chat.completions.create({ model: 'storychat', messages, temperature: 0, max_tokens: 8 });
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.model, 'storychat');
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.ok(r.choices[0].message.content.startsWith(', there was a'), r.choices[0].message.content);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 8);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 8);

  const stopped = await client.chat.completions.create({
    model: 'storychat', messages, temperature: 0, max_tokens: 20, stop: [' little'],
  });
  assert.equal(stopped.choices[0].message.content, ', there was a');
  assert.equal(stopped.choices[0].finish_reason, 'stop');

  const chunks = await collect(await client.chat.completions.create({
    model: 'storychat', messages, temperature: 0, max_tokens: 8, stream: true, stream_options: { include_usage: true },
  }));
  assert.ok(chunks.length > 3);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id));
  const usage = chunks[chunks.length - 1];
  assert.deepEqual(usage.choices, []);
  assert.deepEqual(usage.usage, r.usage);
  const finish = chunks[chunks.length - 2];
  assert.equal(finish.choices[0].finish_reason, 'length');
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.equal(text, r.choices[0].message.content);

  // The library's stream helper assembles the same message.
  const runner = client.beta.chat.completions.stream({ model: 'storychat', messages, temperature: 0, max_tokens: 8 });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.content, r.choices[0].message.content);
});

check('chat.completions json_schema', async () => {
  const r = await client.chat.completions.create({
    model: 'storychat', messages, temperature: 0, max_tokens: 64,
    response_format: {
      type: 'json_schema',
      json_schema: {
        name: 'story',
        schema: {
          type: 'object',
          properties: { title: { type: 'string', maxLength: 12 }, age: { type: 'integer' } },
          required: ['title', 'age'],
        },
      },
    },
  });
  const content = r.choices[0].message.content;
  const parsed = JSON.parse(content);
  assert.equal(typeof parsed.title, 'string');
  assert.ok(Number.isInteger(parsed.age));
  // Properties come in the schema's order, not sorted.
  assert.ok(content.indexOf('"title"') < content.indexOf('"age"'), content);
});

check('completions', async () => {
  const r = await client.completions.create({ model: 'stories', prompt: 'Once upon a time', temperature: 0, max_tokens: 8 });
  assert.equal(r.object, 'text_completion');
  assert.match(r.id, /^cmpl-/);
  assert.ok(r.choices[0].text.startsWith(', there was a'), r.choices[0].text);
  assert.equal(r.choices[0].finish_reason, 'length');
  assert.equal(r.usage.completion_tokens, 8);

  const chunks = await collect(await client.completions.create({
    model: 'stories', prompt: 'Once upon a time', temperature: 0, max_tokens: 8, stream: true,
  }));
  assert.ok(chunks.length > 1);
  assert.equal(chunks.map((c) => c.choices[0]?.text ?? '').join(''), r.choices[0].text);
  assert.equal(chunks[chunks.length - 1].choices[0].finish_reason, 'length');
});

check('embeddings', async () => {
  // Without encoding_format the library asks for base64 and decodes it.
  const r = await client.embeddings.create({ model: 'bert', input: ['hello world', 'goodbye'] });
  assert.equal(r.object, 'list');
  assert.equal(r.data.length, 2);
  assert.deepEqual(r.data.map((d) => d.index), [0, 1]);
  const floats = await client.embeddings.create({ model: 'bert', input: ['hello world', 'goodbye'], encoding_format: 'float' });
  for (let i = 0; i < 2; i++) {
    const a = r.data[i].embedding, b = floats.data[i].embedding;
    assert.equal(a.length, 32);
    assert.equal(b.length, 32);
    for (let k = 0; k < 32; k++) assert.ok(Math.abs(a[k] - b[k]) < 1e-6, `${a[k]} vs ${b[k]}`);
  }
  assert.ok(r.usage.prompt_tokens > 0);
});

check('responses', async () => {
  const r = await client.responses.create({ model: 'storychat', input: 'Once upon a time', temperature: 0, max_output_tokens: 8 });
  assert.equal(r.object, 'response');
  assert.equal(r.status, 'completed');
  assert.ok(r.output_text.startsWith(', there was a'), r.output_text);

  const events = await collect(await client.responses.create({
    model: 'storychat', input: 'Once upon a time', temperature: 0, max_output_tokens: 8, stream: true,
  }));
  assert.equal(events[0].type, 'response.created');
  assert.equal(events[events.length - 1].type, 'response.completed');
  const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
  assert.equal(deltas, r.output_text);
});

check('errors', async () => {
  let err = await rejection(client.chat.completions.create({ model: 'no-such-model', messages }));
  assert.ok(err instanceof OpenAI.NotFoundError, String(err));
  assert.equal(err.status, 404);
  assert.equal(err.type, 'not_found_error');
  assert.match(err.message, /not found/);

  err = await rejection(client.chat.completions.create({ model: 'storychat', messages, stream: true, reasoning_effort: 'bogus' }));
  assert.ok(err instanceof OpenAI.BadRequestError, String(err));
  assert.equal(err.status, 400);

  err = await rejection(client.chat.completions.create({ model: 'storychat', messages: [] }));
  assert.ok(err instanceof OpenAI.BadRequestError, String(err));
  assert.equal(err.type, 'invalid_request_error');
  assert.match(err.message, /\[\] is too short - 'messages'/);

  err = await rejection(client.embeddings.create({ model: 'no-such-model', input: 'hi' }));
  assert.equal(err.status, 404);
  err = await rejection(client.models.retrieve('no-such-model'));
  assert.equal(err.status, 404);
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
