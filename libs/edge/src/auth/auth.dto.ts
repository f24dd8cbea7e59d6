import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { preferencesSchema, Profile, RegisterUser, UpdateProfile } from '@commerce/contracts';
import { ContractProperty, fieldOf } from '../contract-property.decorator';
import { IsEmail, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';

/** Body of POST /api/auth/register. */
export class RegisterDto {
  @ApiProperty({ example: 'ada@example.com' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: 'violet-harbor-42-lantern', minLength: 12, description: 'At least 12 characters, not a common password' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
  @ContractProperty(fieldOf(RegisterUser, 'name'), { example: 'Ada Lovelace' }) name!: string;
}

/** Body of POST /api/auth/login. */
export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' }) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: 'violet-harbor-42-lantern' }) @IsString() @MinLength(1) @MaxLength(128) password!: string;
}

/** Body of POST /api/auth/refresh and /logout. */
export class RefreshDto {
  @ApiProperty({ example: 'rt_5d1c7a0e9b2f4c38a6e1d0f7b3a9c2e4' }) @IsString() @MinLength(1) @MaxLength(200) refreshToken!: string;
}

/** Notification and language preferences. */
export class PreferencesDto {
  @ContractProperty(preferencesSchema.shape.channels, { example: ['email'] }) channels!: Profile['preferences']['channels'];
  @ContractProperty(preferencesSchema.shape.locale, { example: 'en' }) locale!: string;
}

/** Body of PATCH /api/me. */
export class UpdateProfileDto {
  @ContractProperty(fieldOf(UpdateProfile, 'name'), { example: 'Ada King' }) name?: string;
  @ApiPropertyOptional({ type: PreferencesDto }) @IsOptional() @ValidateNested() @Type(() => PreferencesDto) preferences?: PreferencesDto;
}

/** A session. */
export class SessionDto {
  @ApiProperty({ example: 'Bearer' }) tokenType!: string;
  @ApiProperty() accessToken!: string;
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ description: 'Opaque; rotated on every refresh' }) refreshToken!: string;
}

/** A user's profile. */
export class ProfileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['customer', 'admin'] }) role!: string;
  @ApiProperty({ type: PreferencesDto }) preferences!: PreferencesDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
