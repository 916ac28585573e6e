import { router } from "../../trpc";
import { listProcedure } from "./list-notifications";
import { markOneReadProcedure } from "./mark-one-read";
import { markReadProcedure } from "./mark-read";
import { onNotificationProcedure } from "./on-notification";

export const notificationsRouter = router({ list: listProcedure, markRead: markReadProcedure, markOneRead: markOneReadProcedure, onNotification: onNotificationProcedure });
