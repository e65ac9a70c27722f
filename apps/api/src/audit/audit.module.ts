/** Audit over the whole log (the per-partnership audit routes live with the partnerships). */
import { Module } from '@nestjs/common';
import { AuditVerificationController } from './audit-verification.controller';
import { AuditVerificationService } from './audit-verification.service';

@Module({ controllers: [AuditVerificationController], providers: [AuditVerificationService] })
export class AuditModule {}
