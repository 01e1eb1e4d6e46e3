// The JS Redis-trigger test component (guests/js/build.sh builds it with the Spin JS SDK's j2w):
// each message on the subscribed channel INCRs `js:messages` and is stored under `js:last`, in
// the Redis at the component's `redis_address` variable. A message "fail" returns err(error).
import { Connection } from 'fermyon:spin/redis@2.0.0';
import { get as variable } from 'fermyon:spin/variables@2.0.0';

export const inboundRedis = {
  handleMessage(message) {
    if (new TextDecoder().decode(message) === 'fail') {
      throw 'error'; // err(error): the redis-types enum's failure case
    }
    const redis = Connection.open(variable('redis_address'));
    redis.incr('js:messages');
    redis.set('js:last', message);
  },
};
