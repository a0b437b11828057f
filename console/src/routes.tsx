/**
 * Every page of the signed-in console, each its own chunk (loaded on first visit). Add a page:
 * one line here, its file under pages/<area>/, its texts in that area's messages.ts.
 */
import { lazy } from "react";
import type { ComponentType, LazyExoticComponent } from "react";

interface PageRoute {
  path: string;
  Page: LazyExoticComponent<ComponentType>;
}

export const PAGES: PageRoute[] = [
  { path: "/", Page: lazy(() => import("./pages/overview/OverviewPage")) },
  { path: "/bulletins", Page: lazy(() => import("./pages/bulletins/BulletinsPage")) },
  { path: "/approvals", Page: lazy(() => import("./pages/bulletins/ApprovalsPage")) },
  { path: "/bulletins/new", Page: lazy(() => import("./pages/bulletins/ComposePage")) },
  { path: "/bulletins/:id", Page: lazy(() => import("./pages/bulletins/BulletinPage")) },
  { path: "/bulletins/:id/edit", Page: lazy(() => import("./pages/bulletins/ComposePage")) },
  { path: "/programme", Page: lazy(() => import("./pages/programme/ProgrammePage")) },
  { path: "/programme/:unit", Page: lazy(() => import("./pages/programme/ProgrammePage")) },
  { path: "/emergency", Page: lazy(() => import("./pages/emergency/EmergencyPage")) },
  { path: "/devices", Page: lazy(() => import("./pages/devices/DevicesPage")) },
  { path: "/devices/:thing", Page: lazy(() => import("./pages/devices/DevicePage")) },
  { path: "/media", Page: lazy(() => import("./pages/media/MediaPage")) },
  { path: "/speech", Page: lazy(() => import("./pages/media/SpeechPage")) },
  { path: "/units/:code", Page: lazy(() => import("./pages/units/UnitPage")) },
  { path: "/feedback", Page: lazy(() => import("./pages/feedback/FeedbackInboxPage")) },
  { path: "/feedback/:code", Page: lazy(() => import("./pages/feedback/FeedbackPage")) },
  { path: "/feedback-stats", Page: lazy(() => import("./pages/feedback/FeedbackStatsPage")) },
  { path: "/central", Page: lazy(() => import("./pages/central/CentralOutboxPage")) },
  { path: "/directives", Page: lazy(() => import("./pages/directives/DirectivesPage")) },
  { path: "/directives/new", Page: lazy(() => import("./pages/directives/IssueDirectivePage")) },
  { path: "/directives/:id", Page: lazy(() => import("./pages/directives/DirectivePage")) },
  { path: "/training", Page: lazy(() => import("./pages/training/TrainingPage")) },
  { path: "/training/courses/:id", Page: lazy(() => import("./pages/training/CoursePage")) },
  { path: "/kpis", Page: lazy(() => import("./pages/kpis/KpisPage")) },
  { path: "/reports", Page: lazy(() => import("./pages/reports/ReportsPage")) },
  { path: "/reports/:id", Page: lazy(() => import("./pages/reports/ReportPage")) },
];
