/**
 * Serialized objects: RLP of `[tag, version, fields…]` (aeser_chain_objects). The schema table is
 * compiled once into per-(tag, version) layouts; decoding walks a layout's codec array.
 */
import { CodecError, CodecErrorCode } from '../errors.js';
import { decodeInt, encodeInt, rlpDecode, rlpEncode, type RlpItem } from '../rlp.js';
import { rethrowAt, type FieldCodec, type ObjectSerializer } from './fields.js';
import { SCHEMA, type ChainObject, type ObjectOf } from './schema.js';
import { ALL_TAGS, onlyTag, tagName, type Tag } from './tags.js';

interface Layout {
  readonly label: string;
  readonly tag: number;
  readonly version: number;
  readonly names: readonly string[];
  readonly codecs: readonly FieldCodec<unknown>[];
  /** The encoded tag and version, shared by every serialization (rlpEncode only reads them). */
  readonly head: readonly [Uint8Array, Uint8Array];
}

const LAYOUTS = new Map<number, Map<number, Layout>>();
for (const [tagKey, versions] of Object.entries(SCHEMA)) {
  const tag = Number(tagKey);
  const byVersion = new Map<number, Layout>();
  for (const [versionKey, fields] of Object.entries(versions as Record<string, Record<string, FieldCodec<unknown>>>)) {
    const version = Number(versionKey);
    byVersion.set(version, {
      label: `${tagName(tag)} v${version}`,
      tag,
      version,
      names: Object.keys(fields),
      codecs: Object.values(fields),
      head: [encodeInt(BigInt(tag)), encodeInt(BigInt(version))],
    });
  }
  LAYOUTS.set(tag, byVersion);
}

function expected(allowed: ReadonlySet<number>): string {
  return [...allowed].map(tagName).join(' | ');
}

function headerInt(item: RlpItem, field: 'tag' | 'version'): number {
  if (!(item instanceof Uint8Array)) {
    throw new CodecError(CodecErrorCode.RLP_UNEXPECTED_KIND, `object ${field} must be a byte string`, { path: field });
  }
  try {
    return Number(decodeInt(item));
  } catch (e) {
    return rethrowAt(field, e);
  }
}

function layoutOf(tag: number, version: number, allowed: ReadonlySet<number>): Layout {
  const versions = LAYOUTS.get(tag);
  if (versions === undefined) throw new CodecError(CodecErrorCode.UNKNOWN_TAG, `unknown object tag ${tag}`, { path: 'tag' });
  if (!allowed.has(tag)) {
    throw new CodecError(CodecErrorCode.BAD_FIELD, `expected ${expected(allowed)}, got ${tagName(tag)}`, { path: 'tag' });
  }
  const layout = versions.get(version);
  if (layout === undefined) {
    throw new CodecError(CodecErrorCode.UNKNOWN_VERSION, `unknown version ${version} of ${tagName(tag)}`, { path: 'version' });
  }
  return layout;
}

/** Decodes an object whose tag must be in `allowed`. */
export function deserializeOneOf(bytes: Uint8Array, allowed: ReadonlySet<number>): ChainObject {
  const list = rlpDecode(bytes);
  if (list instanceof Uint8Array) throw new CodecError(CodecErrorCode.RLP_UNEXPECTED_KIND, 'a serialized object must be an RLP list');
  if (list.length < 2) throw new CodecError(CodecErrorCode.FIELD_COUNT, 'a serialized object starts with a tag and a version');
  const layout = layoutOf(headerInt(list[0]!, 'tag'), headerInt(list[1]!, 'version'), allowed);
  const { names, codecs } = layout;
  if (list.length !== codecs.length + 2) {
    throw new CodecError(CodecErrorCode.FIELD_COUNT, `${layout.label} has ${codecs.length} fields, got ${list.length - 2}`);
  }
  const out: Record<string, unknown> = { tag: layout.tag, version: layout.version };
  for (let i = 0; i < codecs.length; i++) {
    try {
      out[names[i]!] = codecs[i]!.decode(list[i + 2]!, OBJECTS);
    } catch (e) {
      rethrowAt(names[i]!, e);
    }
  }
  return out as ChainObject;
}

/** Checks and encodes an object whose tag must be in `allowed`. */
export function serializeOneOf(value: unknown, allowed: ReadonlySet<number>): Uint8Array {
  if (typeof value !== 'object' || value === null) {
    throw new CodecError(CodecErrorCode.BAD_FIELD, `expected an object with tag and version, got ${value === null ? 'null' : typeof value}`);
  }
  const { tag, version } = value as { tag?: unknown; version?: unknown };
  if (typeof tag !== 'number') throw new CodecError(CodecErrorCode.BAD_FIELD, 'tag must be a number', { path: 'tag' });
  if (typeof version !== 'number') throw new CodecError(CodecErrorCode.BAD_FIELD, 'version must be a number', { path: 'version' });
  const { names, codecs, head } = layoutOf(tag, version, allowed);
  const items: RlpItem[] = [head[0], head[1]];
  for (let i = 0; i < codecs.length; i++) {
    const name = names[i]!;
    try {
      items.push(codecs[i]!.encode((value as Record<string, unknown>)[name], OBJECTS));
    } catch (e) {
      rethrowAt(name, e);
    }
  }
  return rlpEncode(items);
}

const OBJECTS: ObjectSerializer = { deserialize: deserializeOneOf, serialize: serializeOneOf };

/** Bytes of any object in the schema → the decoded object; `tag` narrows and checks what is expected. */
export function deserializeObject(bytes: Uint8Array): ChainObject;
export function deserializeObject<T extends Tag>(bytes: Uint8Array, tag: T): ObjectOf<T>;
export function deserializeObject(bytes: Uint8Array, tag?: Tag): unknown {
  return deserializeOneOf(bytes, tag === undefined ? ALL_TAGS : onlyTag(tag));
}

/** A decoded (or hand-built) object → its canonical bytes. Checks every field. */
export function serializeObject(object: ChainObject): Uint8Array {
  return serializeOneOf(object, ALL_TAGS);
}
