// Drives `olla serve` with the official Ollama JavaScript library (npm `ollama`).
// Run by tests/integration/clients_test.cc, which starts the server with these models installed:
//   stories    stories260K.gguf, no template
//   storychat  stories260K.gguf, template "{{ range .Messages }}{{ .Content }}{{ end }}"
//   bert       tiny-bert-F32.gguf (embeddings)
// OLLA_HOST is the server's base URL. Exits non-zero on the first failed check.

import assert from 'node:assert/strict';
import { Ollama } from 'ollama';

const host = process.env.OLLA_HOST;
assert.ok(host, 'OLLA_HOST is not set');
const ollama = new Ollama({ host });

const greedy = { temperature: 0, num_predict: 8 };
const checks = [];
const check = (name, fn) => checks.push({ name, fn });

async function collect(stream) {
  const parts = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

// A rejected promise's error, or a failure if it resolves.
async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

check('version', async () => {
  const v = await ollama.version();
  assert.equal(typeof v.version, 'string');
  assert.ok(v.version.length > 0);
});

check('list', async () => {
  const { models } = await ollama.list();
  const names = models.map((m) => m.name).sort();
  assert.deepEqual(names, ['bert:latest', 'stories:latest', 'storychat:latest']);
  const stories = models.find((m) => m.name === 'stories:latest');
  assert.equal(stories.model, 'stories:latest');
  assert.match(stories.digest, /^[0-9a-f]{64}$/);
  assert.ok(stories.size > 0);
  assert.equal(stories.details.format, 'gguf');
  assert.equal(stories.details.family, 'llama');
  assert.ok(!Number.isNaN(Date.parse(stories.modified_at)));
});

check('show', async () => {
  const info = await ollama.show({ model: 'stories' });
  assert.equal(typeof info.modelfile, 'string');
  assert.match(info.modelfile, /FROM /);
  assert.equal(info.details.family, 'llama');
  assert.equal(info.model_info['general.architecture'], 'llama');
  assert.ok(Array.isArray(info.capabilities));
  assert.ok(info.capabilities.includes('completion'));
  const chat = await ollama.show({ model: 'storychat' });
  assert.equal(chat.template, '{{ range .Messages }}{{ .Content }}{{ end }}');
});

check('generate', async () => {
  const r = await ollama.generate({ model: 'stories', prompt: 'Once upon a time', options: greedy });
  assert.equal(r.model, 'stories');
  assert.equal(r.done, true);
  assert.equal(r.done_reason, 'length');
  assert.ok(r.response.startsWith(', there was a'), r.response);
  assert.equal(r.eval_count, 8);
  assert.ok(r.prompt_eval_count > 0);
  assert.ok(r.total_duration > 0);
  assert.ok(Array.isArray(r.context) && r.context.length > 0);

  const parts = await collect(
    await ollama.generate({ model: 'stories', prompt: 'Once upon a time', options: greedy, stream: true }),
  );
  assert.ok(parts.length > 1);
  const last = parts[parts.length - 1];
  assert.equal(last.done, true);
  assert.equal(last.done_reason, 'length');
  assert.equal(last.eval_count, 8);
  assert.ok(parts.slice(0, -1).every((p) => p.done === false));
  assert.equal(parts.map((p) => p.response).join(''), r.response);
});

check('chat', async () => {
  const messages = [{ role: 'user', content: 'Once upon a time' }];
  const r = await ollama.chat({ model: 'storychat', messages, options: greedy });
  assert.equal(r.model, 'storychat');
  assert.equal(r.done, true);
  assert.equal(r.message.role, 'assistant');
  assert.ok(r.message.content.startsWith(', there was a'), r.message.content);
  assert.equal(r.eval_count, 8);

  const parts = await collect(await ollama.chat({ model: 'storychat', messages, options: greedy, stream: true }));
  assert.ok(parts.length > 1);
  assert.equal(parts[parts.length - 1].done, true);
  assert.ok(parts.every((p) => p.message.role === 'assistant'));
  assert.equal(parts.map((p) => p.message.content).join(''), r.message.content);
});

check('embed', async () => {
  const r = await ollama.embed({ model: 'bert', input: ['hello world', 'goodbye'] });
  assert.equal(r.model, 'bert');
  assert.equal(r.embeddings.length, 2);
  for (const e of r.embeddings) {
    assert.equal(e.length, 32);
    const norm = Math.sqrt(e.reduce((s, x) => s + x * x, 0));
    assert.ok(Math.abs(norm - 1) < 1e-4, `norm ${norm}`);
  }
  assert.notDeepEqual(r.embeddings[0], r.embeddings[1]);
  const legacy = await ollama.embeddings({ model: 'bert', prompt: 'hello world' });
  assert.equal(legacy.embedding.length, 32);
});

check('ps', async () => {
  const { models } = await ollama.ps();
  const stories = models.find((m) => m.name === 'stories:latest');
  assert.ok(stories, JSON.stringify(models));
  assert.match(stories.digest, /^[0-9a-f]{64}$/);
  assert.ok(stories.size > 0);
  assert.ok(Date.parse(stories.expires_at) > Date.now());
});

check('create, copy, delete', async () => {
  const created = await ollama.create({ model: 'teller', from: 'stories', system: 'You tell stories.' });
  assert.equal(created.status, 'success');
  const progress = await collect(
    await ollama.create({ model: 'teller2', from: 'stories', parameters: { temperature: 0.5 }, stream: true }),
  );
  assert.equal(progress[progress.length - 1].status, 'success');
  assert.equal((await ollama.show({ model: 'teller' })).system, 'You tell stories.');
  assert.match((await ollama.show({ model: 'teller2' })).parameters, /temperature\s+0\.5/);

  assert.deepEqual(await ollama.copy({ source: 'teller', destination: 'teller-copy' }), { status: 'success' });
  let names = (await ollama.list()).models.map((m) => m.name);
  assert.ok(names.includes('teller-copy:latest'), names.join(','));

  for (const model of ['teller', 'teller2', 'teller-copy']) await ollama.delete({ model });
  names = (await ollama.list()).models.map((m) => m.name);
  assert.ok(!names.some((n) => n.startsWith('teller')), names.join(','));
});

check('errors', async () => {
  for (const call of [
    () => ollama.generate({ model: 'no-such-model', prompt: 'hi' }),
    () => ollama.generate({ model: 'no-such-model', prompt: 'hi', stream: true }),
    () => ollama.chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    () => ollama.show({ model: 'no-such-model' }),
    () => ollama.delete({ model: 'no-such-model' }),
    () => ollama.copy({ source: 'no-such-model', destination: 'x' }),
  ]) {
    const err = await rejection(call());
    assert.equal(err.name, 'ResponseError', String(err));
    assert.equal(err.status_code, 404, String(err));
    assert.match(err.error, /not found/);
  }
  const err = await rejection(ollama.embed({ model: 'stories', input: 'hi', options: { num_ctx: 'big' } }));
  assert.equal(err.status_code, 400, String(err));
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
