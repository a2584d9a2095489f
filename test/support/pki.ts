/**
 * A throwaway certificate authority for tests: one CA, one server certificate
 * for 127.0.0.1/localhost, and client certificates whose common name is a
 * device id (the broker maps it to the MQTT username).
 *
 * Keys are RSA 2048: the engine's mbedtls is built with RSA key exchange and
 * no ECDSA, so anything a device presents or talks to must be RSA.
 */
import { execFile } from "node:child_process";
import { X509Certificate, createPrivateKey, randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A certificate and its private key, as files and as PEM text. */
export interface PemIdentity {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
}

/** The server identity, plus cert and key in one file (what RGW's beast reads). */
export interface ServerIdentity extends PemIdentity {
  readonly bundlePath: string;
}

/** A device identity: PEM for Node clients, DER for the engine's `tls.connect`. */
export interface ClientIdentity extends PemIdentity {
  readonly commonName: string;
  readonly certDer: Buffer;
  /** PKCS#1 RSAPrivateKey. */
  readonly keyDer: Buffer;
  /** The DER bytes as a binary string, the form the engine takes (espruino-profile.md, Sockets). */
  readonly certDerBinary: string;
  readonly keyDerBinary: string;
}

export interface Pki {
  /** Directory holding every file; mode 0755 with 0644 files (see `createPki`). */
  readonly dir: string;
  readonly ca: { readonly certPath: string; readonly cert: string };
  readonly server: ServerIdentity;
  /** Issues (once per name) a client certificate with CN = `commonName`. */
  issueClient(commonName: string): Promise<ClientIdentity>;
  dispose(): Promise<void>;
}

const VALIDITY_DAYS = "7";

// One config file for every step, so the host's openssl.cnf cannot change what
// is issued. keyEncipherment on the server certificate is required for the RSA
// key exchange the engine uses.
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

// A device id becomes a file name here and an MQTT username and topic level in
// the broker, where `+`, `#` and `/` would change what the ACL pattern means.
const COMMON_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Creates the CA and server certificate in a new directory under `parentDir`
 * (default: the system temp directory).
 *
 * Mosquitto 2.0 started as root drops to the `mosquitto` user before it reads
 * its key (design.md, "Facts about the parts"), so the directory is 0755 and
 * every file, keys included, 0644. These keys guard nothing but a test run.
 */
export async function createPki(options: { parentDir?: string } = {}): Promise<Pki> {
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), "ferry-pki-"));
  await chmod(dir, 0o755);
  const configPath = join(dir, "openssl.cnf");
  await writeFile(configPath, OPENSSL_CONFIG, { mode: 0o644 });

  const openssl = (args: string[]) => runOpenssl(args, dir);
  await openssl([
    "req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-config", configPath,
    "-extensions", "ca_ext", "-subj", "/CN=ferry test CA", "-days", VALIDITY_DAYS,
    "-keyout", "ca.key", "-out", "ca.pem",
  ]);

  const issue = async (name: string, commonName: string, extensions: string): Promise<PemIdentity> => {
    await openssl([
      "req", "-new", "-newkey", "rsa:2048", "-nodes", "-config", configPath,
      "-subj", `/CN=${commonName}`, "-keyout", `${name}.key`, "-out", `${name}.csr`,
    ]);
    await openssl([
      "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key",
      // A random serial instead of a serial file lets issues run concurrently.
      "-set_serial", `0x${randomBytes(8).toString("hex")}`, "-days", VALIDITY_DAYS,
      "-extfile", configPath, "-extensions", extensions, "-out", `${name}.pem`,
    ]);
    return readIdentity(dir, name);
  };

  const server = await issue("server", "localhost", "server_ext");
  const bundlePath = join(dir, "server-bundle.pem");
  await writeFile(bundlePath, server.cert + server.key);
  await makeWorldReadable(dir, ["ca.key", "ca.pem", "server.key", "server.pem", "server-bundle.pem"]);

  const clients = new Map<string, Promise<ClientIdentity>>();
  const issueClient = (commonName: string): Promise<ClientIdentity> => {
    if (!COMMON_NAME.test(commonName)) {
      throw new Error(`client common name ${JSON.stringify(commonName)} must match ${COMMON_NAME}`);
    }
    let client = clients.get(commonName);
    if (client === undefined) {
      client = issue(`client-${commonName}`, commonName, "client_ext").then(async (pem) => {
        await makeWorldReadable(dir, [`client-${commonName}.key`, `client-${commonName}.pem`]);
        return withDer(commonName, pem);
      });
      clients.set(commonName, client);
    }
    return client;
  };

  return {
    dir,
    ca: { certPath: join(dir, "ca.pem"), cert: await readFile(join(dir, "ca.pem"), "utf8") },
    server: { ...server, bundlePath },
    issueClient,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

async function runOpenssl(args: string[], cwd: string): Promise<void> {
  try {
    await run("openssl", args, { cwd });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === "ENOENT") {
      throw new Error("openssl not found: install it with `apt-get install -y openssl`");
    }
    throw new Error(`openssl ${args[0]} failed: ${stderr ?? String(error)}`);
  }
}

async function readIdentity(dir: string, name: string): Promise<PemIdentity> {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  return {
    certPath,
    keyPath,
    cert: await readFile(certPath, "utf8"),
    key: await readFile(keyPath, "utf8"),
  };
}

function withDer(commonName: string, pem: PemIdentity): ClientIdentity {
  const certDer = Buffer.from(new X509Certificate(pem.cert).raw);
  const keyDer = createPrivateKey(pem.key).export({ format: "der", type: "pkcs1" });
  return {
    ...pem,
    commonName,
    certDer,
    keyDer,
    certDerBinary: certDer.toString("latin1"),
    keyDerBinary: keyDer.toString("latin1"),
  };
}

async function makeWorldReadable(dir: string, names: string[]): Promise<void> {
  await Promise.all(names.map((name) => chmod(join(dir, name), 0o644)));
}
