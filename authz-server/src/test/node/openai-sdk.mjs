// Drives the official OpenAI SDK (pinned in package.json / package-lock.json) against a base URL and
// prints what the SDK made of each answer, one JSON object per line, for OpenAiSdkTest to assert on.
//
// Usage: node openai-sdk.mjs BASE_URL SCENARIOS_JSON
// SCENARIOS_JSON: [{"name": …, "apiKey": …, "maxRetries": n, "call": "chat" | "missing-route"}]
import OpenAI from 'openai';

const [baseURL, scenariosJson] = process.argv.slice(2);
const scenarios = JSON.parse(scenariosJson);

function headersOf(headers) {
  return headers ? Object.fromEntries(headers.entries()) : {};
}

async function run(scenario) {
  const client = new OpenAI({ apiKey: scenario.apiKey, baseURL, maxRetries: scenario.maxRetries, timeout: 20_000 });
  const started = Date.now();
  try {
    let response;
    if (scenario.call === 'missing-route') {
      response = (await client.get('/not-a-route', {}).withResponse()).response;
    } else {
      const { data, response: r } = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 10,
      }).withResponse();
      if (data.choices[0].message.content !== 'hello') {
        throw new Error('unexpected completion: ' + JSON.stringify(data));
      }
      response = r;
    }
    return { name: scenario.name, ok: true, status: response.status, headers: headersOf(response.headers),
      elapsedMillis: Date.now() - started };
  } catch (err) {
    if (!(err instanceof OpenAI.APIError)) {
      return { name: scenario.name, ok: false, errorClass: err.constructor.name, message: String(err) };
    }
    return {
      name: scenario.name,
      ok: false,
      errorClass: err.constructor.name,
      status: err.status,
      type: err.type ?? null,
      code: err.code ?? null,
      hasParam: err.error != null && Object.prototype.hasOwnProperty.call(err.error, 'param'),
      param: err.param ?? null,
      message: err.error?.message ?? null,
      headers: headersOf(err.headers),
      elapsedMillis: Date.now() - started,
    };
  }
}

for (const scenario of scenarios) {
  console.log(JSON.stringify(await run(scenario)));
}
// Idle keep-alive connections would hold the process for seconds after the last answer.
process.exit(0);
