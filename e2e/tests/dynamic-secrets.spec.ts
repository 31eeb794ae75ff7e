// Dynamic secrets (issue 10's UI): an SSH certificate authority generated on the server (no SSH host
// needed), and a Redis ACL provider against a throwaway redis-server on a loopback port, including a
// revoke that fails while Redis is down and is shown as failing until a retry succeeds.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import type { Locator, Page } from "@playwright/test";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";

const REDIS = "/usr/bin/redis-server";

const dynamicUrl = (path: string, suffix = "") =>
  `/v1/dynamic/${path.split("/").map(encodeURIComponent).join("/")}${suffix}`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number, password: string): Promise<ChildProcess> {
  const proc = spawn(
    REDIS,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--requirepass",
      password,
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const deadline = Date.now() + 10_000;
  while (!out.includes("Ready to accept connections")) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

async function stopRedis(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGKILL");
  await exited;
}

async function openNewConfig(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "New configuration" }).click();
  return page.getByRole("dialog", { name: "New dynamic secret" });
}

test("dynamic secrets: an SSH CA generated on the server, host setup, checkout, edit and revoke", async ({
  adminPage: page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const path = `e2e/${unique("ssh")}`;
  await page.goto("/dynamic-secrets");
  await expect(page.getByRole("heading", { level: 1, name: "Dynamic secrets" })).toBeVisible();

  const create = await openNewConfig(page);
  await create.getByLabel("Path").fill("bad path!");
  await create.getByLabel("Provider").selectOption({ label: "SSH certificates" });
  await expect(create.getByLabel("Generate a new ed25519 CA")).toBeChecked();
  // The private key is generated on the server, so the form does not ask for one.
  await expect(create.getByLabel("CA private key", { exact: true })).toHaveCount(0);
  await create.getByRole("button", { name: "Create and generate CA" }).click();
  await expect(create.getByText("segments may contain only letters, digits, '_' and '-'")).toBeVisible();
  await expect(create.getByLabel("Principals")).toHaveAttribute("aria-invalid", "true");
  await create.getByLabel("Path").fill(path);
  await create.getByLabel("Principals").fill("agent");
  await create.getByLabel("Extensions").fill("permit-pty, permit-port-forwarding");
  await create.getByRole("button", { name: "Create and generate CA" }).click();

  // The CA public key and the host setup, once here and on the configuration's page.
  const generated = page.getByRole("dialog", { name: "CA key generated" });
  await expect(generated.getByLabel("CA public key")).toHaveValue(/^ssh-ed25519 \S+ gatehouse-ca$/);
  const publicKey = await generated.getByLabel("CA public key").inputValue();
  await expect(generated).toContainText("TrustedUserCAKeys /etc/ssh/gatehouse_user_ca.pub");
  await generated.getByRole("button", { name: "Done" }).click();

  await expect(page).toHaveURL(new RegExp(`/dynamic-secrets\\?path=${encodeURIComponent(path)}$`));
  const detail = page.getByRole("region", { name: path });
  await expect(detail.getByText("ends at expiry")).toBeVisible();
  const list = page.getByRole("navigation", { name: "Dynamic secret configurations" });
  await expect(list.getByRole("link", { name: new RegExp(path) })).toContainText("principals: agent");
  await expect(detail.getByLabel("CA public key")).toHaveValue(publicKey);
  await expect(detail).toContainText(
    "Add TrustedUserCAKeys /etc/ssh/gatehouse_user_ca.pub to /etc/ssh/sshd_config",
  );
  // Sensitive settings are write-only: "set", never their value.
  await expect(detail.getByText("set", { exact: true })).toBeVisible();
  expect(await page.content()).not.toContain("PRIVATE KEY");
  const view = await ok<{ config: Record<string, unknown> }>(adminApi.get(dynamicUrl(path)));
  expect(view.config.ca_private_key).toBe("***");

  await detail.getByRole("button", { name: "Test CA key" }).click();
  await expect(detail.getByRole("status").filter({ hasText: "signs certificates" })).toBeVisible();

  // Check out a certificate: shown once, with its private key.
  await detail.getByRole("button", { name: "Check out" }).click();
  const checkout = page.getByRole("dialog", { name: `Check out ${path}` });
  await checkout.getByLabel("TTL (seconds)").fill("5");
  await expect(checkout.getByText("Between 10 and 86400 seconds.")).toBeVisible();
  await checkout.getByRole("button", { name: "5m 0s", exact: true }).click();
  await checkout.getByLabel("Reason").fill("e2e: deploy to staging");
  await checkout.getByRole("button", { name: "Check out" }).click();
  const issued = page.getByRole("dialog", { name: `Credential for ${path}` });
  await expect(issued.getByLabel("Certificate")).toHaveValue(/^ssh-ed25519-cert-v01@openssh\.com /);
  await expect(issued.getByLabel("Private key")).toHaveValue(/BEGIN OPENSSH PRIVATE KEY/);
  await expect(issued).toContainText("agent");
  await issued.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  expect(await page.content()).not.toContain("PRIVATE KEY");

  const leases = detail.getByRole("region", { name: /Leases/ });
  const row = leases.getByRole("row", { name: /^Lease dlease-/ });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("active");
  await expect(row).toContainText("e2e-admin");

  // Edit: the stored CA key is kept when its field stays blank.
  await detail.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${path}` });
  await expect(edit.getByLabel("CA private key", { exact: true })).toHaveValue("");
  await expect(edit.getByLabel("Principals")).toHaveValue("agent");
  await edit.getByLabel("Principals").fill("agent, deploy");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(detail).toContainText("agent, deploy");
  await expect(detail.getByLabel("CA public key")).toHaveValue(publicKey);

  // Revoke ends the lease (the certificate itself runs to its expiry: the dialog says so).
  await row.getByRole("button", { name: /^Revoke gh_/ }).click();
  const revoke = page.getByRole("dialog", { name: /^Revoke gh_/ });
  await expect(revoke).toContainText("cannot be withdrawn");
  await revoke.getByRole("button", { name: "Revoke" }).click();
  await expect(revoke).toBeHidden();
  await expect(leases.getByRole("row", { name: /^Lease dlease-/ })).toHaveCount(0);
  await leases.getByLabel("Show ended").check();
  await expect(leases.getByRole("row", { name: /^Lease dlease-/ })).toContainText("revoked");

  // Delete the configuration.
  await detail.getByRole("button", { name: "Delete" }).click();
  await page
    .getByRole("dialog", { name: `Delete ${path}?` })
    .getByRole("button", { name: "Delete configuration" })
    .click();
  await expect(page).toHaveURL(/\/dynamic-secrets$/);
  await expect(list.getByRole("link", { name: new RegExp(path) })).toHaveCount(0);
  expect((await adminApi.get(dynamicUrl(path))).status()).toBe(404);
  expect(errors).toEqual([]);
});

test("dynamic secrets: Redis ACL users, connection test, and a failing revoke shown until it is retried", async ({
  adminPage: page,
  adminApi,
}) => {
  test.skip(!existsSync(REDIS), "redis-server is not installed");
  test.setTimeout(60_000);
  const errors = collectConsoleErrors(page);
  const port = await freePort();
  const password = `redis-admin-${unique("pw")}`;
  let redis = await startRedis(port, password);
  const path = `e2e/${unique("redis")}`;
  try {
    await page.goto("/dynamic-secrets");
    const create = await openNewConfig(page);
    await create.getByLabel("Path").fill(path);
    await create.getByLabel("Provider").selectOption({ label: "Redis (ACL users)" });
    // Form checks before the round trip: a required host, a port in range.
    await create.getByLabel("Port").fill("99999");
    await create.getByRole("button", { name: "Create configuration" }).click();
    await expect(create.getByText("Between 1 and 65535.")).toBeVisible();
    await expect(create.getByLabel("Host")).toHaveAttribute("aria-invalid", "true");
    await expect(create.getByLabel("Admin password")).toHaveAttribute("aria-invalid", "true");
    await create.getByLabel("Host").fill("127.0.0.1");
    await create.getByLabel("Port").fill(String(port));
    // Masked as it is typed.
    await expect(create.getByLabel("Admin password")).toHaveAttribute("type", "password");
    await create.getByLabel("Admin password").fill(password);
    await expect(create.getByLabel("ACL command rules")).toHaveValue("+@read");
    await create.getByLabel("ACL command rules").fill("+@read, +@write");
    await create.getByLabel("ACL key patterns").fill("~app:*");
    await create.getByRole("button", { name: "Create configuration" }).click();
    await expect(create).toBeHidden();

    const detail = page.getByRole("region", { name: path });
    await expect(detail.getByText("revoke ends access at once")).toBeVisible();
    await expect(detail).toContainText("127.0.0.1");
    await expect(detail).toContainText("+@read, +@write");
    expect(await page.content()).not.toContain(password);
    const view = await ok<{ config: Record<string, unknown> }>(adminApi.get(dynamicUrl(path)));
    expect(view.config.password).toBe("***");

    await detail.getByRole("button", { name: "Test connection" }).click();
    await expect(detail.getByRole("status").filter({ hasText: "Connection works" })).toBeVisible();

    // The edit form never shows the stored password; saving with it blank keeps it.
    await detail.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("dialog", { name: `Edit ${path}` });
    await expect(edit.getByLabel("Admin password")).toHaveValue("");
    await expect(edit.getByLabel("Port")).toHaveValue(String(port));
    await edit.getByRole("button", { name: "Save changes" }).click();
    await expect(edit).toBeHidden();
    await detail.getByRole("button", { name: "Test connection" }).click();
    await expect(detail.getByRole("status").filter({ hasText: "Connection works" })).toBeVisible();

    await detail.getByRole("button", { name: "Check out" }).click();
    const checkout = page.getByRole("dialog", { name: `Check out ${path}` });
    await checkout.getByRole("button", { name: "15m 0s" }).click();
    await checkout.getByRole("button", { name: "Check out" }).click();
    const issued = page.getByRole("dialog", { name: `Credential for ${path}` });
    await expect(issued.getByLabel("Username")).toHaveValue(/^gh_e2e_admin_[0-9a-f]{12}$/);
    const username = await issued.getByLabel("Username").inputValue();
    await expect(issued.getByLabel("Password")).toHaveValue(/^[A-Za-z0-9]{32}$/);
    await expect(issued.getByLabel("Connection URI")).toHaveValue(new RegExp(`^redis://${username}:`));
    await issued.getByRole("button", { name: "Done" }).click();

    const leases = detail.getByRole("region", { name: /Leases/ });
    const row = leases.getByRole("row", { name: /^Lease dlease-/ });
    await expect(row).toContainText(username);
    await expect(row).toContainText("active");
    await leases.getByRole("button", { name: "Compare with the engine" }).click();
    await expect(leases.getByRole("status").filter({ hasText: "The engine holds" })).toContainText(
      "Every one of them has a live lease",
    );

    // Redis goes away: the revoke fails, and the lease is marked failing, not revoked.
    await stopRedis(redis);
    await row.getByRole("button", { name: `Revoke ${username}` }).click();
    const revoke = page.getByRole("dialog", { name: `Revoke ${username}?` });
    await revoke.getByRole("button", { name: "Revoke" }).click();
    await expect(revoke.getByRole("alert")).toContainText("revoke_failed");
    await revoke.getByRole("button", { name: "Cancel" }).click();
    await expect(row.getByText("revoke failing")).toBeVisible();
    await expect(row).toContainText("1 attempt; next retry in");
    expect(
      (await ok<{ leases: { status: string }[] }>(adminApi.get(dynamicUrl(path, "/leases")))).leases[0]
        ?.status,
    ).toBe("revoke_failed");

    // Back up: a retry from the row succeeds (the user is gone with the restart, which counts as done).
    redis = await startRedis(port, password);
    await row.getByRole("button", { name: `Retry revoke of ${username}` }).click();
    const retry = page.getByRole("dialog", { name: `Revoke ${username}?` });
    await retry.getByRole("button", { name: "Retry revoke" }).click();
    await expect(retry).toBeHidden();
    await expect(leases.getByRole("row", { name: /^Lease dlease-/ })).toHaveCount(0);
    // The one failed request is the revoke while Redis was down (502).
    expect(errors.filter((e) => !/status of 502 .*\/v1\/dynamic\/lease\/dlease-/.test(e))).toEqual([]);
  } finally {
    await stopRedis(redis);
    await adminApi.delete(dynamicUrl(path));
  }
});
