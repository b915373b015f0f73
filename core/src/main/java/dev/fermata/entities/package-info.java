/**
 * Durable entities: small stateful objects addressed by {@link dev.fermata.entities.EntityId},
 * whose operations run one at a time and whose state is stored after each batch of operations.
 *
 * <p>Define one with {@code Fermata.Builder.entity(name, EntityFunction)} or, class-based, with
 * {@code Fermata.Builder.entity(name, Class)}; signal and read it from a {@code FermataClient};
 * call, signal and lock it from an orchestration ({@code OrchestrationContext.callEntity}, {@code
 * signalEntity}, {@code lockEntities}).
 */
package dev.fermata.entities;
