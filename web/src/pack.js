// pack.js — checks an evidence pack in the browser, as `accord pack
// verify` does offline: reads the ustar archive, recomputes the SHA-256 of
// every file named in MANIFEST (and that nothing else is there), and
// verifies MANIFEST.sig — an Ed25519 signature — with the public key that
// the signed pack.json names (WebCrypto; browsers without Ed25519 get the
// digests checked and are told to use the command line for the signature).

function readTar(buf) {
  const bytes = new Uint8Array(buf);
  const files = new Map();
  const dec = new TextDecoder();
  const str = (o, n) => {
    let e = o;
    while (e < o + n && bytes[e] !== 0) e++;
    return dec.decode(bytes.subarray(o, e));
  };
  let off = 0;
  while (off + 512 <= bytes.length) {
    if (bytes.subarray(off, off + 512).every((b) => b === 0)) break;
    const name = str(off, 100);
    const prefix = str(off + 345, 155);
    const size = parseInt(str(off + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(bytes[off + 156] || 48);
    if (Number.isNaN(size) || size < 0) throw new Error('not a tar archive (bad size field)');
    const full = prefix ? `${prefix}/${name}` : name;
    off += 512;
    if (off + size > bytes.length) throw new Error('the archive is truncated');
    if (type === '0' || type === '\0') files.set(full.split('/').pop(), bytes.slice(off, off + size));
    off += Math.ceil(size / 512) * 512;
  }
  if (!files.size) throw new Error('no files in the archive');
  return files;
}

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const b64 = (s) => Uint8Array.from(atob(s.trim()), (c) => c.charCodeAt(0));

// Returns {ok, checks: [{what, ok, detail}], signer, keyText}.
export async function verifyPack(arrayBuffer, expectKeyId) {
  const checks = [];
  const add = (what, ok, detail = '') => checks.push({ what, ok, detail });
  let files;
  try {
    files = readTar(arrayBuffer);
  } catch (e) {
    add('Read the archive', false, e.message);
    return { ok: false, checks };
  }
  add('Read the archive', true, `${files.size} files`);
  const manifest = files.get('MANIFEST');
  const sigFile = files.get('MANIFEST.sig');
  const packJson = files.get('pack.json');
  if (!manifest || !sigFile || !packJson) {
    add('MANIFEST, MANIFEST.sig and pack.json present', false, 'missing: this is not an evidence pack');
    return { ok: false, checks };
  }
  const dec = new TextDecoder();
  const lines = dec.decode(manifest).split('\n').filter(Boolean);
  const named = new Set();
  let allDigests = true;
  for (const line of lines) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) { add('MANIFEST line', false, line); allDigests = false; continue; }
    named.add(m[2]);
    const f = files.get(m[2]);
    if (!f) { add(`${m[2]}`, false, 'named in MANIFEST but missing'); allDigests = false; continue; }
    const got = hex(await crypto.subtle.digest('SHA-256', f));
    if (got !== m[1]) { add(`${m[2]}`, false, 'SHA-256 differs from MANIFEST: the file was changed'); allDigests = false; } else add(`${m[2]}`, true, `SHA-256 ${got.slice(0, 16)}…`);
  }
  for (const name of files.keys()) {
    if (name !== 'MANIFEST' && name !== 'MANIFEST.sig' && !named.has(name)) { add(name, false, 'in the archive but not in MANIFEST'); allDigests = false; }
  }
  let info;
  try {
    info = JSON.parse(dec.decode(packJson));
  } catch (e) {
    add('pack.json', false, 'not JSON');
    return { ok: false, checks };
  }
  const keyText = info.signer && info.signer.public_key;
  const signer = info.signer && (info.signer.organisation || info.signer.name);
  let sigOk = null;
  if (!keyText || !keyText.startsWith('ed25519:')) {
    add('Signer key', false, 'pack.json names no Ed25519 key');
    sigOk = false;
  } else {
    try {
      const key = await crypto.subtle.importKey('raw', b64(keyText.slice(8)), { name: 'Ed25519' }, false, ['verify']);
      sigOk = await crypto.subtle.verify({ name: 'Ed25519' }, key, b64(dec.decode(sigFile)), manifest);
      add('Ed25519 signature of MANIFEST', sigOk, sigOk ? `signed by ${signer || 'the key in pack.json'}` : 'does not match: the manifest was changed or signed with another key');
    } catch (e) {
      add('Ed25519 signature of MANIFEST', false, `this browser cannot check Ed25519 signatures (${e.message}); run: accord pack verify FILE`);
      sigOk = false;
    }
  }
  if (expectKeyId && info.signer && info.signer.key_id && info.signer.key_id !== expectKeyId) {
    add('Signer is who the server said', false, `key ${info.signer.key_id}, expected ${expectKeyId}`);
    sigOk = false;
  }
  return { ok: allDigests && sigOk === true, checks, signer, keyText, release: info.release };
}
