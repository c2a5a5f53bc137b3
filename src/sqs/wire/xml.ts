// The Query flavour's XML writer: results are written by walking the operation's output
// spec (flattened lists and maps, as the 2012-11-05 API does), errors as an ErrorResponse.
// Text is escaped the way SQS does it: `"` as &quot; and CR as &#xD; so a parser gives back
// the exact bytes (otherwise XML line-end normalisation breaks body MD5 checks).

import type { Members, Spec } from '../model/shapes.js';

export const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#xD;' };

export function escapeXml(text: string): string {
  return /[&<>"\r]/.test(text) ? text.replace(/[&<>"\r]/g, (c) => ESCAPES[c] as string) : text;
}

function element(name: string, body: string): string {
  return `<${name}>${body}</${name}>`;
}

function writeValue(spec: Spec, name: string, v: unknown, out: string[]): void {
  if (v === undefined || v === null) return;
  switch (spec.type) {
    case 'list':
      for (const item of v as unknown[]) writeValue(spec.member, spec.query, item, out);
      return;
    case 'map':
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const inner: string[] = [element(spec.key, escapeXml(k))];
        writeValue(spec.member, spec.value, item, inner);
        out.push(element(spec.query, inner.join('')));
      }
      return;
    case 'structure':
      out.push(element(name, writeMembers(spec.members, v as Record<string, unknown>)));
      return;
    default:
      out.push(element(name, escapeXml(Buffer.isBuffer(v) ? v.toString('base64') : String(v))));
  }
}

export function writeMembers(members: Members, value: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [name, spec] of members) writeValue(spec, name, value[name], out);
  return out.join('');
}

export function xmlResponse(action: string, members: Members | undefined, output: Record<string, unknown>, requestId: string): string {
  const result = members === undefined ? '' : element(`${action}Result`, writeMembers(members, output));
  return `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function xmlError(fault: string, code: string, message: string, requestId: string): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${fault}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
