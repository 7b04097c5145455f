/** How long a user waits for another to release the node: a test file holds it throughout. */
export declare const LOCK_WAIT_MS: number;
/** Takes the lock directory (holding the owner's pid), waiting while a live owner holds it; resolves with its release. */
export declare function lock(): Promise<() => void>;
/** A channel WebSocket port P (P+1 its sync port) and an HTTP port H (H+100, +200, +400 its other APIs), all free now. */
export declare function freePorts(): Promise<[ws: number, http: number]>;
/** A port free now on 127.0.0.1, e.g. for the responder's channel process of the real node to listen on. */
export declare function freePort(): Promise<number>;
