import { router } from "../../trpc";
import { disableEndpointProcedure } from "./disable-endpoint";
import { listDeliveriesProcedure } from "./list-deliveries";
import { listEndpointsProcedure } from "./list-endpoints";
import { redeliverProcedure } from "./redeliver";
import { registerEndpointProcedure } from "./register-endpoint";
import { subscribeUserProcedure } from "./subscribe-user";

export const webhooksRouter = router({
  registerEndpoint: registerEndpointProcedure,
  listEndpoints: listEndpointsProcedure,
  disableEndpoint: disableEndpointProcedure,
  listDeliveries: listDeliveriesProcedure,
  redeliver: redeliverProcedure,
  subscribeUser: subscribeUserProcedure,
});
