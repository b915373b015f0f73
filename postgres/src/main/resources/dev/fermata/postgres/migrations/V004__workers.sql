-- Version 4: the workers that run orchestrations on this hub, so that they can divide the
-- instances among themselves (see Partitions.java). Each running worker renews its row while it
-- lives; a row whose alive_until has passed belongs to a worker that stopped or died.
CREATE TABLE workers (
  worker_id text PRIMARY KEY,
  alive_until bigint NOT NULL
);
