// MQTT topics between a device and the service. Every topic sits under a
// prefix (default "ferry") and the device id, so one broker ACL pattern
// (`pattern readwrite ferry/%u/#` on Mosquitto, a thing-name policy on AWS IoT)
// confines a device to its own topics. The service trusts the device id in the
// topic for that reason: the broker has already checked it.

export const DEFAULT_TOPIC_PREFIX = "ferry";

/** The longest device id: it becomes part of topics and of S3 object keys. */
export const MAX_DEVICE_ID_LENGTH = 64;

/** What a device publishes or receives under `<prefix>/<dev>/`. */
export type DeviceChannel = "presign" | "presign/reply" | "ota" | "state" | "event";

/**
 * True for 1 to 64 characters of A-Z a-z 0-9 _ -. Nothing else, so an id
 * can be neither an MQTT wildcard nor a path segment such as "..".
 */
export function isDeviceId(text: string): boolean {
  return isId(text, MAX_DEVICE_ID_LENGTH);
}

/** 1 to `maxLength` characters of A-Z a-z 0-9 _ -: device ids and request ids. */
export function isId(text: string, maxLength: number): boolean {
  if (text.length < 1 || text.length > maxLength) return false;
  for (let i = 0; i < text.length; i++) {
    if (!isIdCharacter(text.charCodeAt(i))) return false;
  }
  return true;
}

function isIdCharacter(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 95 || // _
    code === 45 // -
  );
}

/**
 * True for a prefix the service can publish and subscribe under: one or more
 * non-empty segments, none of them an MQTT wildcard, not starting with "$"
 * (brokers reserve those topics).
 */
export function isTopicPrefix(prefix: string): boolean {
  if (prefix.length === 0 || prefix.charAt(0) === "$") return false;
  const segments = prefix.split("/");
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.length === 0 || segment.indexOf("+") >= 0 || segment.indexOf("#") >= 0) return false;
  }
  for (let i = 0; i < prefix.length; i++) {
    if (prefix.charCodeAt(i) < 32) return false;
  }
  return true;
}

export function deviceTopic(prefix: string, device: string, channel: DeviceChannel): string {
  return prefix + "/" + device + "/" + channel;
}

export function presignTopic(prefix: string, device: string): string {
  return deviceTopic(prefix, device, "presign");
}

export function presignReplyTopic(prefix: string, device: string): string {
  return deviceTopic(prefix, device, "presign/reply");
}

export function otaTopic(prefix: string, device: string): string {
  return deviceTopic(prefix, device, "ota");
}

export function stateTopic(prefix: string, device: string): string {
  return deviceTopic(prefix, device, "state");
}

export function eventTopic(prefix: string, device: string): string {
  return deviceTopic(prefix, device, "event");
}

/** The filter the service subscribes to: every device's presign requests. */
export function presignFilter(prefix: string): string {
  return prefix + "/+/presign";
}

/**
 * The device id of a presign request topic (`<prefix>/<dev>/presign`), or
 * undefined when the topic is anything else or the id is not a valid one.
 */
export function presignTopicDevice(prefix: string, topic: string): string | undefined {
  const head = prefix + "/";
  const tail = "/presign";
  if (topic.length <= head.length + tail.length) return undefined;
  if (topic.substring(0, head.length) !== head) return undefined;
  if (topic.substring(topic.length - tail.length) !== tail) return undefined;
  const device = topic.substring(head.length, topic.length - tail.length);
  return isDeviceId(device) ? device : undefined;
}
