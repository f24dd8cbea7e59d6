import { Body, Controller, Get, HttpCode, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle, Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { GetProfile, LogIn, LogOut, Profile, RefreshSession, RegisterUser, Session, UpdateProfile } from '@commerce/contracts';
import { ProblemDto } from '../problem.dto';
import { ResilientBus } from '../resilience/resilient-bus';
import { AuthUser, CurrentUser, Public } from './auth.decorators';
import { LoginDto, ProfileDto, RefreshDto, RegisterDto, SessionDto, UpdateProfileDto } from './auth.dto';

/** Accounts and sessions, mapped onto identity's messages. Login and registration are rate limited. */
@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly bus: ResilientBus) {}

  @Post('auth/register')
  @Public()
  @UseGuards(ThrottlerGuard)
  @Throttle({ auth: {} })
  @SkipThrottle({ orders: true })
  @ApiOperation({ summary: 'Create a customer account' })
  @ApiCreatedResponse({ type: ProfileDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'IDENTITY.EMAIL_TAKEN' })
  @ApiTooManyRequestsResponse({ type: ProblemDto })
  register(@Body() body: RegisterDto): Promise<Profile> {
    return this.bus.send(RegisterUser, body);
  }

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @Throttle({ auth: {} })
  @SkipThrottle({ orders: true })
  @ApiOperation({ summary: 'Log in; wrong password and unknown email answer alike' })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ type: ProblemDto })
  @ApiTooManyRequestsResponse({ type: ProblemDto })
  login(@Body() body: LoginDto): Promise<Session> {
    return this.bus.send(LogIn, body);
  }

  @Post('auth/refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token for a new session; reusing one revokes the session' })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ type: ProblemDto })
  refresh(@Body() body: RefreshDto): Promise<Session> {
    return this.bus.send(RefreshSession, body);
  }

  @Post('auth/logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token' })
  @ApiNoContentResponse()
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.bus.send(LogOut, body);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'My profile and preferences' })
  @ApiOkResponse({ type: ProfileDto })
  @ApiUnauthorizedResponse({ type: ProblemDto })
  me(@CurrentUser() user: AuthUser): Promise<Profile> {
    return this.bus.request(GetProfile, { userId: user.id });
  }

  @Patch('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change my name or preferences' })
  @ApiOkResponse({ type: ProfileDto })
  updateMe(@CurrentUser() user: AuthUser, @Body() body: UpdateProfileDto): Promise<Profile> {
    return this.bus.send(UpdateProfile, { userId: user.id, ...body, preferences: body.preferences as Profile['preferences'] | undefined });
  }
}
