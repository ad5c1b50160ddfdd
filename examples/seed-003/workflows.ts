/**
 * Seed 003's example workflows written with the FlowBuilder DSL. The seed's
 * agents are actions of the `agents` squad (agents-squad.ts); its JavaScript
 * lambdas are JSONata conditions.
 */
import { FlowBuilder, type WorkflowDefinition } from '@squadflow/shared';

const agent = (action: string) => ({ squad: 'agents', action });

export const sequentialWorkflow: WorkflowDefinition = new FlowBuilder('sequential_delivery')
  .addStep('analyze-requirements', agent('business_analyst'))
  .addStep('design-solution', agent('software_engineer'))
  .addStep('implement-solution', agent('software_engineer'))
  .addStep('test-solution', agent('qa_tester'))
  .addStep('deploy-solution', agent('devops'))
  .build();

export const parallelWorkflow: WorkflowDefinition = new FlowBuilder('parallel_delivery')
  .addStep('analyze-requirements', agent('business_analyst'))
  .addParallelBranch([
    {
      name: 'frontend-development',
      steps: [
        { name: 'design-ui', ...agent('ui_designer') },
        { name: 'implement-frontend', ...agent('frontend_developer') },
      ],
    },
    {
      name: 'backend-development',
      steps: [
        { name: 'design-api', ...agent('backend_architect') },
        { name: 'implement-backend', ...agent('backend_developer') },
      ],
    },
  ])
  .addStep('integration-testing', agent('qa_tester'))
  .build();

export const conditionalWorkflow: WorkflowDefinition = new FlowBuilder('security_gate')
  .addStep('security-scan', agent('security_agent'))
  .addConditionalBranch({
    condition: 'securityIssuesFound = true',
    trueBranch: [
      { name: 'fix-security-issues', ...agent('security_engineer') },
      { name: 'rerun-security-scan', ...agent('security_agent') },
    ],
    falseBranch: [{ name: 'proceed-to-deployment', ...agent('devops') }],
  })
  .build();

export const eventDrivenWorkflow: WorkflowDefinition = new FlowBuilder('zendesk_clickup_integration')
  .setDescription('Automate ticket synchronization between Zendesk and ClickUp')
  .addEventTrigger('zendesk.ticket.created', {
    condition: 'priority = "high"',
    context: '{ "ticketId": id, "priority": priority }',
    idempotencyKey: 'id',
  })
  .addStep('analyze-ticket', { ...agent('business_analyst'), timeout: 300_000, retries: 3 })
  .addStep('create-clickup-task', { ...agent('project_manager'), timeout: 180_000 })
  .addWait('task-completed', { signal: 'clickup_task_done_{ticketId}' })
  .addEventTrigger('clickup.task.completed', { signal: '"clickup_task_done_" & zendesk_ticket' })
  .addStep('update-zendesk-ticket', agent('software_engineer'))
  .build();

export const approvalWorkflow: WorkflowDefinition = new FlowBuilder('human_approval')
  .addStep('analyze-request', agent('business_analyst'))
  .addHumanTask('review-analysis', {
    assignee: 'manager@company.com',
    timeout: '24h',
    escalation: { timeout: '48h', escalateTo: 'director@company.com' },
  })
  .addConditionalBranch({
    condition: '$steps.`review-analysis`.approved = true',
    trueBranch: [
      { name: 'implement-solution', ...agent('software_engineer') },
      { name: 'deploy-solution', ...agent('devops') },
    ],
    falseBranch: [{ name: 'notify-rejection', ...agent('notification_service') }],
  })
  .build();

export const advancedWorkflow: WorkflowDefinition = new FlowBuilder('complex_integration_workflow')
  .addStep('data-validation', {
    ...agent('data_validator'),
    input: '{ "fail": validationFails }',
    onError: { strategy: 'retry', maxRetries: 3, backoffStrategy: 'exponential', initialInterval: '1s' },
  })
  .addStep('data-transformation', {
    ...agent('data_transformer'),
    onError: { strategy: 'compensate', compensationStep: 'rollback' },
  })
  .addStep('data-sync', {
    ...agent('sync_agent'),
    input: '{ "fail": syncFails }',
    // As the seed says: a sync that fails for good parks the execution for a person, named as its target.
    onError: { strategy: 'escalate', escalationTarget: 'human-operator' },
  })
  .build();

export const seed003Workflows = [
  sequentialWorkflow,
  parallelWorkflow,
  conditionalWorkflow,
  eventDrivenWorkflow,
  approvalWorkflow,
  advancedWorkflow,
];
