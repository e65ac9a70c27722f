/**
 * Authentication and organization scoping. Global because the guard (an APP_GUARD of the root
 * module) and the scoping seams of several feature modules (feed visibility, list filters,
 * subscriptions, audit) share one membership index per process.
 */
import { Global, Module } from '@nestjs/common';
import { OrganizationMembership } from './organization-membership';
import { PartnershipScope } from './partnership-scope';

const scoping = [OrganizationMembership, PartnershipScope];

@Global()
@Module({ providers: [...scoping], exports: [...scoping] })
export class AuthModule {}
