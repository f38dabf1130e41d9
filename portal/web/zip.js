// A zip archive of files as they are (method 0, "stored": SS-MIX2 files are small text, and
// the gateway checks and unpacks whatever arrives), made in the browser so that a data manager
// can send an SS-MIX2 folder without zipping it first. Names are UTF-8 (flag bit 11). No
// zip64: at most 65,535 files and 4 GiB, far above the upload limit of 256 MiB.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const MAX_ZIP_ENTRIES = 65535;

function header(size) {
  const buf = new ArrayBuffer(size);
  return { buf, view: new DataView(buf) };
}

// DOS time and date of a JS date (local time, as zip tools write it).
function dosTime(d) {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: (Math.max(d.getFullYear() - 1980, 0) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

// entries: [{name: 'a/b/c', file: File|Blob}]; onProgress(fraction read). Resolves to a Blob.
export async function zipFiles(entries, onProgress) {
  if (entries.length > MAX_ZIP_ENTRIES) throw new RangeError('too many files for one zip');
  const encoder = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  const total = entries.reduce((n, e) => n + e.file.size, 0) || 1;
  let read = 0;
  for (const { name, file } of entries) {
    const nameBytes = encoder.encode(name);
    const data = new Uint8Array(await file.arrayBuffer());
    const crc = crc32(data);
    const { time, date } = dosTime(file.lastModified ? new Date(file.lastModified) : new Date());
    const local = header(30);
    const v = local.view;
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true); // version needed
    v.setUint16(6, 0x0800, true); // UTF-8 names
    v.setUint16(8, 0, true); // stored
    v.setUint16(10, time, true);
    v.setUint16(12, date, true);
    v.setUint32(14, crc, true);
    v.setUint32(18, data.length, true);
    v.setUint32(22, data.length, true);
    v.setUint16(26, nameBytes.length, true);
    v.setUint16(28, 0, true);
    parts.push(local.buf, nameBytes, data);
    const c = header(46);
    const w = c.view;
    w.setUint32(0, 0x02014b50, true);
    w.setUint16(4, 20, true); // made by
    w.setUint16(6, 20, true);
    w.setUint16(8, 0x0800, true);
    w.setUint16(10, 0, true);
    w.setUint16(12, time, true);
    w.setUint16(14, date, true);
    w.setUint32(16, crc, true);
    w.setUint32(20, data.length, true);
    w.setUint32(24, data.length, true);
    w.setUint16(28, nameBytes.length, true);
    w.setUint32(42, offset, true);
    central.push(c.buf, nameBytes);
    offset += 30 + nameBytes.length + data.length;
    read += file.size;
    onProgress?.(read / total);
  }
  const centralSize = central.reduce((n, p) => n + p.byteLength, 0);
  const end = header(22);
  const e = end.view;
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  return new Blob([...parts, ...central, end.buf], { type: 'application/zip' });
}
