/** Typed arrays ⇄ base64, so models serialise to plain JSON that PostgreSQL can keep in jsonb or bytea. */

export function f32ToB64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function b64ToF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function i32ToB64(a: Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function b64ToI32(s: string): Int32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Int32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

export function toText(data: Buffer | string): string {
  return typeof data === 'string' ? data : data.toString('utf8');
}

/**
 * bfloat16: the upper half of a float32 (8-bit exponent, 7-bit mantissa), rounded to nearest even.
 * Model weights lose nothing that changes a prediction at that precision, and models halve in size.
 * `roundBf16` applies the same rounding in place, so a model behaves identically before and after a save.
 */
export function roundBf16(a: Float32Array): Float32Array {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  for (let i = 0; i < u.length; i++) {
    const x = u[i];
    if ((x & 0x7f800000) === 0x7f800000) continue; // inf / NaN stay as they are
    u[i] = ((x + 0x7fff + ((x >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return a;
}

export function bf16ToB64(a: Float32Array): string {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const h = new Uint16Array(a.length);
  for (let i = 0; i < a.length; i++) h[i] = u[i] >>> 16;
  return Buffer.from(h.buffer).toString('base64');
}

export function b64ToBf16(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const h = new Uint16Array(b.byteLength / 2);
  new Uint8Array(h.buffer).set(b);
  const out = new Float32Array(h.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < h.length; i++) u[i] = h[i] << 16;
  return out;
}
