import type { Db, Document, MongoClientOptions } from "mongodb";
import type { MongoConnect, MongoSession } from "../../src/modules/dynamic/providers/mongodb";

// No MongoDB server can run on the build machines. This fake implements the slice of the official
// driver the provider uses (`MongoClient.db(name).command(doc)`, `close()`), typed against the
// driver's own types, records every command, and answers like a server would: createUser,
// dropUser (code 11 UserNotFound), usersInfo, ping, connectionStatus.

export interface Sent {
  db: string;
  command: Document;
}

const serverError = (message: string, code: number) => Object.assign(new Error(message), { code });

class FakeSession implements MongoSession {
  constructor(private readonly server: FakeMongoServer) {}

  db(name: string): Pick<Db, "command"> {
    return { command: async (command: Document) => this.server.run(name, command) };
  }

  async close(): Promise<void> {
    this.server.closed++;
  }
}

export class FakeMongoServer {
  readonly sent: Sent[] = [];
  readonly connects: { url: string; options: MongoClientOptions }[] = [];
  /** `db.user` → the createUser document. */
  readonly users = new Map<string, Document>();
  closed = 0;
  /** While true, connecting fails like an unreachable server. */
  down = false;
  /** The roles connectionStatus reports for the admin. */
  adminRoles: { role: string; db: string }[] = [{ role: "userAdminAnyDatabase", db: "admin" }];
  /** Makes the next command of this name fail with this error. */
  failNext = new Map<string, Error>();

  readonly connect: MongoConnect = async (url, options) => {
    this.connects.push({ url, options });
    if (this.down) throw serverError("Server selection timed out after 5000 ms (connect ECONNREFUSED)", 0);
    return new FakeSession(this);
  };

  /** Commands sent, without the ping/connectionStatus of connection tests. */
  commandsNamed(name: string): Sent[] {
    return this.sent.filter((s) => Object.keys(s.command)[0] === name);
  }

  async run(db: string, command: Document): Promise<Document> {
    this.sent.push({ db, command: structuredClone(command) });
    const name = Object.keys(command)[0] ?? "";
    const injected = this.failNext.get(name);
    if (injected) {
      this.failNext.delete(name);
      throw injected;
    }
    switch (name) {
      case "ping":
        return { ok: 1 };
      case "connectionStatus":
        return {
          authInfo: { authenticatedUsers: [{ user: "admin", db }], authenticatedUserRoles: this.adminRoles },
          ok: 1,
        };
      case "createUser": {
        const key = `${db}.${command.createUser}`;
        if (this.users.has(key))
          throw serverError(`User "${command.createUser}@${db}" already exists`, 51003);
        this.users.set(key, command);
        return { ok: 1 };
      }
      case "dropUser": {
        const key = `${db}.${command.dropUser}`;
        if (!this.users.delete(key)) throw serverError(`User '${command.dropUser}@${db}' not found`, 11);
        return { ok: 1 };
      }
      case "usersInfo":
        return {
          users: [...this.users.entries()]
            .filter(([k]) => k.startsWith(`${db}.`))
            .map(([, u]) => ({ user: u.createUser, db, roles: u.roles })),
          ok: 1,
        };
      default:
        throw serverError(`no such command: '${name}'`, 59);
    }
  }
}
