import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * WeChat's message encryption, shared by official accounts, mini-programs and WeCom (企业微信): the scheme of
 * "消息加解密说明" (https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html,
 * WeCom: https://developer.work.weixin.qq.com/document/path/90968). Pure functions, tested against the values of
 * the vendors' own sample code.
 */
export class WechatCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WechatCryptoError';
  }
}

/** SHA-1 of the parts sorted in dictionary order and concatenated (signature, msg_signature). */
export function sha1Signature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** EncodingAESKey is 43 base64 characters; with a trailing "=" it decodes to the 32-byte AES key. */
export function aesKeyOf(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAESKey)) throw new WechatCryptoError('EncodingAESKey must be 43 base64 characters');
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new WechatCryptoError('EncodingAESKey does not decode to 32 bytes');
  return key;
}

// The scheme pads to 32-byte blocks (PKCS#7 with k = 32), not AES's 16: the samples' PKCS7Encoder uses block_size 32.
const BLOCK = 32;

/**
 * Encrypts msg for receiver (appid or CorpID): AES-256-CBC, key = AESKey, IV = its first 16 bytes, plaintext =
 * random(16) | msg_len (4 bytes, network order) | msg | receiver, PKCS#7-padded to 32 bytes; base64 out.
 * `random` is fixed only by tests reproducing the vendor's samples.
 */
export function wechatEncrypt(key: Buffer, msg: string, receiverId: string, random: Buffer = randomBytes(16)): string {
  if (random.length !== 16) throw new WechatCryptoError('random prefix must be 16 bytes');
  const body = Buffer.from(msg, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, len, body, Buffer.from(receiverId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(padded), c.final()]).toString('base64');
}

/** Decrypts and unpacks; checks the receiver id when one is expected (a message for another account is refused). */
export function wechatDecrypt(key: Buffer, encrypted: string, expectedReceiverId?: string): { message: string; receiverId: string } {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw new WechatCryptoError('ciphertext is not base64');
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new WechatCryptoError('ciphertext length is not a multiple of the AES block');
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(data), d.final()]);
  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > BLOCK || pad > plain.length) throw new WechatCryptoError('bad padding');
  const unpadded = plain.subarray(0, plain.length - pad);
  if (unpadded.length < 20) throw new WechatCryptoError('plaintext too short');
  const len = unpadded.readUInt32BE(16);
  if (20 + len > unpadded.length) throw new WechatCryptoError('message length out of range');
  const message = unpadded.subarray(20, 20 + len).toString('utf8');
  const receiverId = unpadded.subarray(20 + len).toString('utf8');
  if (expectedReceiverId !== undefined && receiverId !== expectedReceiverId) throw new WechatCryptoError('message is addressed to another receiver id');
  return { message, receiverId };
}
