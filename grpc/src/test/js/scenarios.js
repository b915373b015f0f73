// Runs the JavaScript Durable Task SDK's worker and client against a Fermata sidecar and prints
// one JSON line per scenario: {"scenario": ..., "instanceId": ..., "status": ..., "output": ...}.
// Usage: node scenarios.js <host:port>. JsSdkTest starts the engine and checks the lines (and the
// instances in the engine's store).
const {
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  NoOpLogger,
  OrchestrationStatus,
} = require("@microsoft/durabletask-js");

const address = process.argv[2];
const logger = new NoOpLogger();
const WAIT_SECONDS = 60;

const sayHello = async (_ctx, name) => `Hello, ${name}!`;

async function* sequence(ctx) {
  const tokyo = yield ctx.callActivity(sayHello, "Tokyo");
  const seattle = yield ctx.callActivity(sayHello, "Seattle");
  const london = yield ctx.callActivity(sayHello, "London");
  return [tokyo, seattle, london];
}

async function* approval(ctx) {
  const approver = yield ctx.waitForExternalEvent("Approve");
  return `approved by ${approver}`;
}

async function* timer(ctx) {
  const before = ctx.currentUtcDateTime.getTime();
  yield ctx.createTimer(0.5);
  return ctx.currentUtcDateTime.getTime() - before;
}

async function run(client, scenario, orchestrator, input, afterStart) {
  const id = await client.scheduleNewOrchestration(orchestrator, input);
  if (afterStart) {
    await client.waitForOrchestrationStart(id, false, WAIT_SECONDS);
    await afterStart(id);
  }
  const state = await client.waitForOrchestrationCompletion(id, true, WAIT_SECONDS);
  console.log(
    JSON.stringify({
      scenario,
      instanceId: id,
      status: OrchestrationStatus[state.runtimeStatus],
      output: state.serializedOutput === undefined ? null : JSON.parse(state.serializedOutput),
    }),
  );
}

async function main() {
  const worker = new TaskHubGrpcWorker({ hostAddress: address, logger });
  worker.addOrchestrator(sequence);
  worker.addOrchestrator(approval);
  worker.addOrchestrator(timer);
  worker.addActivity(sayHello);
  await worker.start();
  const client = new TaskHubGrpcClient({ hostAddress: address, logger });
  try {
    await run(client, "sequence", sequence);
    await run(client, "event", approval, undefined, (id) =>
      client.raiseOrchestrationEvent(id, "Approve", "Ana"),
    );
    await run(client, "timer", timer);
  } finally {
    await client.stop();
    await worker.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
