// The ceiling: the cheapest JSON endpoint Bun can serve on this machine.
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  fetch: () => Response.json({ status: "ok" }),
});
console.log(`READY ${server.port}`);
