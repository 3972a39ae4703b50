// Rebuild what a model wrote from an LLM event stream, so a command split over many deltas
// (`cu` `rl https://x |` ` sh`) is scanned whole. Handles OpenAI chat completions
// (`choices[].delta.content`, tool-call `function.arguments`, legacy `choices[].text`), the OpenAI
// Responses API (`response.output_text.delta`, `response.function_call_arguments.delta`) and
// Anthropic messages (`content_block_delta` with `text_delta` / `input_json_delta`). Anything else
// yields no reassembled text; the raw stream is scanned as text regardless.

export type SseStyle = 'openai' | 'openai-responses' | 'anthropic';

export interface SseReassembly {
  /** the model's text, then each tool call's arguments on their own line */
  text: string;
  style: SseStyle | undefined;
  events: number;
}

interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Split SSE text into events (blank-line separated; `data:` lines joined with "\n"). */
export function parseSseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  let data: string[] = [];
  let event: string | undefined;
  const flush = (): void => {
    if (data.length) events.push({ event, data: data.join('\n') });
    data = [];
    event = undefined;
  };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      flush();
      continue;
    }
    if (line.startsWith(':')) continue; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }
  flush(); // a stream cut at the scan bound still counts its last event
  return events;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function reassembleSse(streamText: string): SseReassembly {
  let style: SseStyle | undefined;
  let out = '';
  // Tool-call arguments arrive interleaved per call: keep one buffer per call key.
  const tools = new Map<string, string>();
  const addTool = (key: string, piece: string): void => {
    tools.set(key, (tools.get(key) ?? '') + piece);
  };
  const events = parseSseEvents(streamText);

  for (const ev of events) {
    if (ev.data === '[DONE]') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(ev.data);
    } catch {
      continue;
    }
    if (!isObj(obj)) continue;
    const type = str(obj.type) ?? ev.event;

    if (type === 'content_block_delta' && isObj(obj.delta)) {
      style ??= 'anthropic';
      const d = obj.delta;
      const t = str(d.text);
      if (t !== undefined) out += t;
      const pj = str(d.partial_json);
      if (pj !== undefined) addTool(`a${String(obj.index ?? 0)}`, pj);
      continue;
    }
    if (type === 'response.output_text.delta') {
      style ??= 'openai-responses';
      out += str(obj.delta) ?? '';
      continue;
    }
    if (type === 'response.function_call_arguments.delta') {
      style ??= 'openai-responses';
      addTool(`r${String(obj.item_id ?? obj.output_index ?? 0)}`, str(obj.delta) ?? '');
      continue;
    }
    if (Array.isArray(obj.choices)) {
      for (const choice of obj.choices) {
        if (!isObj(choice)) continue;
        const delta = choice.delta;
        if (isObj(delta)) {
          style ??= 'openai';
          const c = str(delta.content);
          if (c !== undefined) out += c;
          if (Array.isArray(delta.tool_calls)) {
            for (const call of delta.tool_calls) {
              if (!isObj(call) || !isObj(call.function)) continue;
              const args = str(call.function.arguments);
              if (args !== undefined) addTool(`o${String(choice.index ?? 0)}.${String(call.index ?? 0)}`, args);
            }
          }
        } else if (str(choice.text) !== undefined) {
          style ??= 'openai';
          out += str(choice.text);
        }
      }
    }
  }

  const toolText = [...tools.values()].filter((t) => t.length > 0);
  const text = toolText.length ? [out, ...toolText].join('\n') : out;
  return { text, style, events: events.length };
}

export function isEventStream(contentType: string | string[] | undefined): boolean {
  const ct = Array.isArray(contentType) ? contentType[0] : contentType;
  return typeof ct === 'string' && /^\s*text\/event-stream\b/i.test(ct);
}
