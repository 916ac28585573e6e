export { Badge, StatusPill, type Tone } from "./status-pill";
export { Button, type ButtonProps } from "./button";
export { Card, type CardProps } from "./card";
export { ConfirmDialog, type ConfirmDialogProps } from "./confirm-dialog";
export { cx } from "./cx";
export { Dialog, type DialogProps } from "./dialog";
export { EmptyState, LoadingRows } from "./empty-state";
export { Money, type MoneyProps } from "./money";
export { Table, TBody, THead, Td, Th, Tr } from "./table";
