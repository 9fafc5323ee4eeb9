import { SchedulingModule } from '@app/database';
import { Module } from '@nestjs/common';
import { WhatsappEventsPurgeCron } from './numbers/whatsapp-events-purge.cron';
import { WhatsappNumbersModule } from './numbers/whatsapp-numbers.module';

/**
 * The API side's scheduled job: the purge of applied events kept for the live streams. Import it
 * only where `ScheduleModule.forRoot()` is (the API): the CLI never runs crons.
 */
@Module({
  imports: [WhatsappNumbersModule, SchedulingModule],
  providers: [WhatsappEventsPurgeCron],
})
export class WhatsappCronModule {}
