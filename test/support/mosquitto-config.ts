/**
 * The text of the broker's configuration and ACL files. Pure: no I/O.
 */

export interface BrokerFiles {
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly aclPath: string;
}

export interface BrokerLayout {
  readonly port: number;
  readonly tlsPort: number;
  readonly files: BrokerFiles;
  readonly verbose: boolean;
}

export interface TopicPolicy {
  readonly topicPrefix: string;
  readonly serviceIdentity: string;
}

/**
 * Two listeners on 127.0.0.1: a plain one open to anyone (benchmarks and tests
 * that do not need TLS) and a mutual-TLS one where the client certificate's
 * CN is the username the ACL sees.
 */
export function renderBrokerConfig(layout: BrokerLayout): string {
  const { port, tlsPort, files, verbose } = layout;
  const logTypes = verbose ? ["all"] : ["error", "warning", "notice", "information"];
  return [
    // Without per-listener settings the ACL would also bind the plain
    // listener's anonymous clients, and they could do nothing.
    "per_listener_settings true",
    "persistence false",
    "log_dest stderr",
    "log_timestamp_format %Y-%m-%dT%H:%M:%S",
    ...logTypes.map((type) => `log_type ${type}`),
    "connection_messages true",
    "",
    `listener ${port} 127.0.0.1`,
    "allow_anonymous true",
    "",
    `listener ${tlsPort} 127.0.0.1`,
    `cafile ${files.caPath}`,
    `certfile ${files.certPath}`,
    `keyfile ${files.keyPath}`,
    "require_certificate true",
    "use_identity_as_username true",
    "allow_anonymous false",
    `acl_file ${files.aclPath}`,
    "",
  ].join("\n");
}

/**
 * Each device may use only `<prefix>/<its id>/#`; the service identity may
 * use the whole prefix, which includes the shared subscription
 * `$share/<group>/<prefix>/+/presign` (Mosquitto checks the filter after the
 * share name).
 */
export function renderAcl(policy: TopicPolicy): string {
  const { topicPrefix, serviceIdentity } = policy;
  return [
    `pattern readwrite ${topicPrefix}/%u/#`,
    "",
    `user ${serviceIdentity}`,
    `topic readwrite ${topicPrefix}/#`,
    "",
  ].join("\n");
}
