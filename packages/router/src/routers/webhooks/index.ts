import { router } from "../../trpc";
import { disableEndpoint } from "./disable-endpoint";
import { listDeliveries } from "./list-deliveries";
import { listEndpoints } from "./list-endpoints";
import { redeliver } from "./redeliver";
import { registerEndpoint } from "./register-endpoint";
import { subscribeUser } from "./subscribe-user";

export const webhooksRouter = router({
  registerEndpoint,
  listEndpoints,
  disableEndpoint,
  listDeliveries,
  redeliver,
  subscribeUser,
});
