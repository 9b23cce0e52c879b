/** Plain plan fixtures for tests: an empty plan, to spread and override. */
import type { PlanJson } from '../../shared/plan/json.js';

export const emptyPlan: PlanJson = {
  title: '',
  notes: '',
  types: [],
  clientWords: '',
  strengths: '',
  nextReview: '',
  followUpDate: '',
  service: { contractType: '', startDate: '', endDate: '', daysPerWeek: null, hoursPerDay: null, place: '' },
  activation: { educationHistory: '', earlierServices: '', earlierPlans: '', goal: '', support: '' },
  goals: []
};
