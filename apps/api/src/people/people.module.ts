/**
 * The people vault's HTTP side: the /people routes, the check of `personId` references in commands
 * (declared on the commands route),
 * and the read-time names every partnership view shows (PersonLabels). Global because those views
 * live in several feature modules (state and history, timeline) that should not each import it.
 */
import { Global, Module } from '@nestjs/common';
import { PeopleVaultModule } from '@trellis/platform';
import { PeopleController } from './people.controller';
import { PersonLabels } from './person-labels';
import { PersonReferencesInterceptor } from './person-references.interceptor';

const controllers = [PeopleController];
const services = [PersonLabels];
/** Declared on the commands route (`@UseInterceptors`), resolved from here. */
const pipeline = [PersonReferencesInterceptor];

@Global()
@Module({
  imports: [PeopleVaultModule],
  controllers: [...controllers],
  providers: [...services, ...pipeline],
  exports: [...services, ...pipeline, PeopleVaultModule],
})
export class PeopleModule {}
