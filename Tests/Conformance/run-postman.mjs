// Runs docs/postman/event-booking.postman_collection.json against a server, in order, with the subset
// of Postman's script API the collection uses (pm.test, pm.expect(...).to.eql / .to.be.above,
// pm.response.to.have.status, pm.response.json, pm.collectionVariables). It stands in for newman,
// whose npm registry this machine cannot reach; the collection itself runs unchanged in Postman or newman.
// Usage: node run-postman.mjs COLLECTION BASE_URL
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

const [collectionPath, baseUrl] = process.argv.slice(2);
const collection = JSON.parse(readFileSync(collectionPath, "utf8"));
const variables = new Map(collection.variable.map((v) => [v.key, String(v.value)]));
variables.set("baseUrl", baseUrl);
const fill = (text) => text.replace(/\{\{(\w+)\}\}/g, (_, name) => variables.get(name) ?? "");

let passed = 0;
let failed = 0;

function expect(actual) {
  const to = {
    eql: (expected) => assert.deepStrictEqual(actual, expected),
    equal: (expected) => assert.strictEqual(actual, expected),
    be: { above: (bound) => assert.ok(actual > bound, `${actual} is not above ${bound}`) },
  };
  return { to };
}

function makePm(response, body) {
  const collectionVariables = { get: (k) => variables.get(k), set: (k, v) => variables.set(k, String(v)) };
  return {
    collectionVariables,
    variables: collectionVariables,
    expect,
    test(name, fn) {
      try {
        fn();
        passed++;
        console.log(`  ✔ ${name}`);
      } catch (error) {
        failed++;
        console.log(`  ✘ ${name}: ${error.message.split("\n")[0]}`);
      }
    },
    response: response && {
      code: response.status,
      json: () => JSON.parse(body),
      text: () => body,
      to: { have: { status: (code) => assert.strictEqual(response.status, code, `status ${response.status}, body ${body}`) } },
    },
  };
}

function run(script, pm) {
  if (script) new Function("pm", script.exec.join("\n"))(pm);
}

async function send(item) {
  const events = Object.fromEntries((item.event ?? []).map((e) => [e.listen, e.script]));
  run(events.prerequest, makePm());
  const request = item.request;
  const headers = Object.fromEntries(request.header.map((h) => [h.key, fill(h.value)]));
  if (request.auth?.type === "bearer") headers.Authorization = `Bearer ${fill(request.auth.bearer[0].value)}`;
  const response = await fetch(fill(request.url.raw), {
    method: request.method,
    headers,
    body: request.body ? fill(request.body.raw) : undefined,
  });
  const body = await response.text();
  console.log(`${request.method} ${fill(request.url.raw).replace(baseUrl, "")} -> ${response.status}  (${item.name})`);
  run(events.test, makePm(response, body));
}

async function walk(items) {
  for (const item of items) {
    if (item.item) await walk(item.item);
    else await send(item);
  }
}

await walk(collection.item);
console.log(`postman: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
