import { router } from "../../trpc";
import { list } from "./list-notifications";
import { markOneRead, markRead } from "./mark-read";
import { onNotification } from "./on-notification";

export const notificationsRouter = router({ list, markRead, markOneRead, onNotification });
