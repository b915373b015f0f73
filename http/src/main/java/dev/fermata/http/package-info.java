/**
 * Fermata's HTTP management API: the routes of Azure Durable Functions' HTTP API (start an
 * orchestration, get its status and history, list, purge, raise events, terminate, suspend, resume,
 * rewind, restart), so curl scripts written for Durable Functions work by changing the host and
 * port.
 *
 * <p>No web framework: the API runs on the JDK's built-in {@code com.sun.net.httpserver.HttpServer}
 * with one virtual thread per request. {@link dev.fermata.http.ManagementApi} owns the server and
 * the error mapping; each resource's endpoints live in one class ({@link
 * dev.fermata.http.OrchestratorStartRoutes}, {@link dev.fermata.http.InstanceRoutes}, {@link
 * dev.fermata.http.InstanceQueryRoutes}); {@link dev.fermata.http.StatusView}, {@link
 * dev.fermata.http.HistoryEventsView} and {@link dev.fermata.http.CheckStatusPayload} render
 * Durable Functions' JSON shapes.
 */
package dev.fermata.http;
