import { UsersService } from '@app/auth';
import { AppConfig } from '@app/config';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';

/** ADMIN_USERNAME/ADMIN_PASSWORD: the admin account exists once the API has started (after migrations). */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } = this.config;
    if (username !== undefined && password !== undefined) {
      await this.users.ensureAdmin(username, password);
    }
  }
}
