/** Where the signature guard notes when a callback request arrived, on the request itself. */
const ARRIVED_AT = Symbol('wechat:arrived-at');

interface WithArrival {
  [ARRIVED_AT]?: number;
}

/**
 * Records `Date.now()` as the arrival of `request` (the guard runs as soon as its head is in, before
 * the body is read), so the body-read limit and the reply deadline both count from there: a slow
 * upload cannot push the answer past WeChat's 5 s.
 */
export function rememberArrival(request: object, at: number = Date.now()): void {
  (request as WithArrival)[ARRIVED_AT] = at;
}

/** When `request` arrived (`Date.now()` then), if the guard ran; else `undefined`. */
export function arrivalOf(request: object): number | undefined {
  return (request as WithArrival)[ARRIVED_AT];
}
