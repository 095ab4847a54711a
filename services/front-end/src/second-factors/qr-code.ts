import QRCode from 'qrcode';

/**
 * The otpauth:// URI as an inline SVG QR code: drawn here, so the secret goes to no outside
 * service, and inline, so the strict CSP needs no data: images. The SVG is qrcode's own output
 * (paths and presentation attributes, no script, no style attribute).
 */
export async function qrCodeSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The otpauth:// URI apps scan (Google's Key Uri Format): the issuer names the site, the account the user. */
export function otpauthUri(secret: string, account: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: '6', period: '30' });
  return `otpauth://totp/${label}?${query.toString()}`;
}
