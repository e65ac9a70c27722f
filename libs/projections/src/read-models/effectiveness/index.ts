/** Read model "Effectiveness" (five dimensions, no composite score): projection, document and view. */
export {
  EFFECTIVENESS,
  EFFECTIVENESS_LIMITS,
  effectivenessProjection,
  evolveEffectiveness,
  initialEffectivenessDoc,
  type EffectivenessCounters,
  type EffectivenessDoc,
  type JointActivity,
  type RatingStats,
  type ReflectionEntry,
  type ReflectionHistory,
} from './effectiveness.projection';
export {
  DIMENSION_TITLES,
  NO_COMPOSITE_SCORE_NOTE,
  effectivenessView,
  suppressSmall,
  type DimensionRatings,
  type DimensionView,
  type EffectivenessView,
  type SideRatingHistory,
  type SuppressedCount,
} from './effectiveness.view';
