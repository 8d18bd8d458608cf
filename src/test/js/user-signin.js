// Real pusher-js (the node build the Maven build installs) through its own user sign-in flow, for
// UserSigninIT: signin() -> signin_success -> pusher-js's subscribe to #server-to-user-<id> ->
// user.bind(...) receives sendToUser. Prints one line per milestone; the test drives the HTTP side.
// Usage: node user-signin.js <port> <app key> <app secret> <user id>
const Pusher = require('pusher-js');
const crypto = require('crypto');

const [port, key, secret, userId] = process.argv.slice(2);
const userData = JSON.stringify({ id: userId, user_info: { name: 'Js' } });
const pusher = new Pusher(key, {
  cluster: 'local', wsHost: '127.0.0.1', wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'],
  userAuthentication: {
    // Signed here as a backend's /broadcasting/user-auth would sign it.
    customHandler: ({ socketId }, callback) => {
      const signature = crypto.createHmac('sha256', secret).update(`${socketId}::user::${userData}`).digest('hex');
      callback(null, { auth: `${key}:${signature}`, user_data: userData });
    },
  },
});
const quit = (code) => {
  pusher.disconnect();
  setTimeout(() => process.exit(code), 200);
};
setTimeout(() => { console.log('TIMEOUT'); quit(2); }, 20000);

pusher.connection.bind('message', (message) => {
  if (message.event === 'pusher_internal:subscription_succeeded' && message.channel === `#server-to-user-${userId}`) {
    console.log('SUBSCRIBED');
  }
  if (message.event === 'pusher:subscription_error' || message.event === 'pusher:error') {
    console.log('ERROR ' + JSON.stringify(message));
  }
});
pusher.user.bind('greeting', (data) => {
  console.log('GOT ' + JSON.stringify(data) + ' subscribed=' + pusher.user.serverToUserChannel.subscribed);
});
process.stdin.on('data', (line) => {
  if (String(line).trim() === 'quit') {
    quit(0);
  }
});
pusher.signin();
