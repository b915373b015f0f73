// Runs the JavaScript Durable Task SDK's worker and client against a Fermata sidecar and prints
// one JSON line per scenario: {"scenario": ..., "instanceId": ..., "status": ..., "output": ...}
// for the orchestrations, and what the entity calls saw for "entities".
// Usage: node scenarios.js <host:port>. JsSdkTest starts the engine and checks the lines (and the
// instances in the engine's store).
const {
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  NoOpLogger,
  OrchestrationStatus,
  TaskEntity,
  EntityInstanceId,
  terminateOptions,
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

// An entity whose code runs here; Fermata keeps its state and schedules its operations.
class Counter extends TaskEntity {
  initializeState() {
    return 0;
  }
  add(amount) {
    this.state += amount;
    return this.state;
  }
  get() {
    return this.state;
  }
  refuse() {
    this.state = -1000; // dropped: the operation fails
    throw new Error("the counter refuses");
  }
}

// Waits until the entity's state passes the check; entity signals are one-way.
async function entityState(client, id, check) {
  const deadline = Date.now() + WAIT_SECONDS * 1000;
  for (;;) {
    const entity = await client.getEntity(id);
    const state = entity === undefined ? undefined : entity.state;
    if (check(state) || Date.now() > deadline) {
      return state;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function entities(client) {
  const id = new EntityInstanceId("counter", "js-1");
  await client.signalEntity(id, "add", 5);
  await client.signalEntity(id, "refuse");
  await client.signalEntity(id, "add", 37);
  const state = await entityState(client, id, (s) => s === 42);
  // "CountWithJs" is the engine's own orchestrator (Java): it calls this counter over Fermata.
  const javaId = await client.scheduleNewOrchestration("CountWithJs", "js-2");
  const java = await client.waitForOrchestrationCompletion(javaId, true, WAIT_SECONDS);
  const listed = [];
  for await (const e of client.getEntities({ instanceIdStartsWith: "counter@" })) {
    listed.push(e.id.toString());
  }
  const missing = await client.getEntity(new EntityInstanceId("counter", "never-used"));
  console.log(
    JSON.stringify({
      scenario: "entities",
      state,
      javaStatus: OrchestrationStatus[java.runtimeStatus],
      javaOutput: JSON.parse(java.serializedOutput),
      listed: listed.sort(),
      missing: missing === undefined,
    }),
  );
}

// An orchestration of the SDK's that uses entities: its own counter and the engine's "audit"
// entity (Java), with a call, a signal, a critical section over both, and a failing call.
async function* usesEntities(ctx) {
  const counter = new EntityInstanceId("counter", "js-3");
  const audit = new EntityInstanceId("audit", "js-3");
  yield ctx.entities.callEntity(counter, "add", 4);
  ctx.entities.signalEntity(audit, "record", "hello");
  const lock = yield ctx.entities.lockEntities(counter, audit);
  let javaSays;
  try {
    yield ctx.entities.callEntity(counter, "add", 6);
    javaSays = yield ctx.entities.callEntity(audit, "get");
  } finally {
    lock.release();
  }
  let refused = "not refused";
  try {
    yield ctx.entities.callEntity(counter, "refuse");
  } catch (e) {
    refused = e.message;
  }
  const total = yield ctx.entities.callEntity(counter, "get");
  return { total, javaSays, refused };
}

async function* waitsForever(ctx) {
  return yield ctx.waitForExternalEvent("Never");
}

async function* parentOfWaiter(ctx) {
  return yield ctx.callSubOrchestrator(waitsForever, undefined, {
    instanceId: `${ctx.instanceId}-child`,
  });
}

// The client calls of the newer contract: list ids, read a history, terminate a tree.
async function clientCalls(client, sequenceId) {
  const page = await client.listInstanceIds({
    runtimeStatus: [OrchestrationStatus.COMPLETED],
    pageSize: 1000,
  });
  const history = await client.getOrchestrationHistory(sequenceId);
  const parentId = await client.scheduleNewOrchestration(parentOfWaiter);
  await client.waitForOrchestrationStart(`${parentId}-child`, false, WAIT_SECONDS);
  await client.terminateOrchestration(
    parentId,
    terminateOptions({ output: "stop", recursive: true }),
  );
  const parent = await client.waitForOrchestrationCompletion(parentId, false, WAIT_SECONDS);
  const child = await client.waitForOrchestrationCompletion(
    `${parentId}-child`,
    false,
    WAIT_SECONDS,
  );
  console.log(
    JSON.stringify({
      scenario: "client",
      completedIds: page.values,
      sequenceHistory: history.map((e) => e.type),
      terminated: [parentId, `${parentId}-child`],
      terminatedStatuses: [
        OrchestrationStatus[parent.runtimeStatus],
        OrchestrationStatus[child.runtimeStatus],
      ],
    }),
  );
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
  return id;
}

async function main() {
  const worker = new TaskHubGrpcWorker({ hostAddress: address, logger });
  worker.addOrchestrator(sequence);
  worker.addOrchestrator(approval);
  worker.addOrchestrator(timer);
  worker.addOrchestrator(waitsForever);
  worker.addOrchestrator(usesEntities);
  worker.addOrchestrator(parentOfWaiter);
  worker.addActivity(sayHello);
  worker.addNamedEntity("counter", () => new Counter());
  await worker.start();
  const client = new TaskHubGrpcClient({ hostAddress: address, logger });
  try {
    const sequenceId = await run(client, "sequence", sequence);
    await run(client, "event", approval, undefined, (id) =>
      client.raiseOrchestrationEvent(id, "Approve", "Ana"),
    );
    await run(client, "timer", timer);
    await entities(client);
    await run(client, "entityOrchestration", usesEntities);
    await clientCalls(client, sequenceId);
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
